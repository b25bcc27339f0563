import { Button, Input } from "@sluice/ui";
import type { ReactNode } from "react";

/** A GET form: the search box and filters become URL params, read by the server page (no JavaScript needed). */
export function ListToolbar({
  q,
  placeholder = "Search…",
  hidden = {},
  children,
  actions,
}: {
  q?: string;
  placeholder?: string;
  /** params to keep (sort, order) */
  hidden?: Record<string, string | undefined>;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-100 px-5 py-3">
      <form method="get" className="flex flex-wrap items-center gap-2">
        {Object.entries(hidden).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
        <div className="w-56">
          <Input name="q" defaultValue={q} placeholder={placeholder} aria-label="Search" className="h-8" />
        </div>
        {children}
        <Button type="submit" size="sm" variant="secondary">
          Filter
        </Button>
      </form>
      {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
    </div>
  );
}
