import type { ReactNode } from "react";
import { cn } from "./cn.ts";

export interface PaginationProps {
  page: number;
  pageSize: number;
  total: number;
  /** the URL of another page (keeps the current filters and sort) */
  hrefFor: (page: number) => string;
}

const link = "rounded-md border border-zinc-300 bg-white px-2.5 py-1 text-sm text-zinc-700 hover:bg-zinc-50";
const disabled = "rounded-md border border-zinc-200 px-2.5 py-1 text-sm text-zinc-300";

/** Server-side paging with plain links (works without JavaScript). */
export function Pagination({ page, pageSize, total, hrefFor }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-4 px-5 py-3 text-sm text-zinc-500">
      <span>
        {from}–{to} of {total}
      </span>
      <span className="flex items-center gap-2">
        {page > 1 ? (
          <a className={link} href={hrefFor(page - 1)} rel="prev">
            Previous
          </a>
        ) : (
          <span className={disabled}>Previous</span>
        )}
        <span className="tabular-nums">
          {page} / {pages}
        </span>
        {page < pages ? (
          <a className={link} href={hrefFor(page + 1)} rel="next">
            Next
          </a>
        ) : (
          <span className={disabled}>Next</span>
        )}
      </span>
    </nav>
  );
}

export interface SortHeaderProps {
  label: ReactNode;
  /** the column key sent to the server */
  column: string;
  sort: string;
  order: "asc" | "desc";
  hrefFor: (sort: string, order: "asc" | "desc") => string;
  className?: string;
}

/** A table header cell that sorts on the server. */
export function SortHeader({ label, column, sort, order, hrefFor, className }: SortHeaderProps) {
  const active = sort === column;
  const next = active && order === "asc" ? "desc" : "asc";
  return (
    <th
      scope="col"
      aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined}
      className={cn("px-5 py-2.5 text-xs font-medium text-zinc-500", className)}
    >
      <a
        href={hrefFor(column, next)}
        className={cn("inline-flex items-center gap-1 hover:text-zinc-900", active && "text-zinc-900")}
      >
        {label}
        <span aria-hidden="true" className="text-[10px]">
          {active ? (order === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </a>
    </th>
  );
}

export interface SubNavProps {
  links: Array<{ href: string; label: string; active?: boolean }>;
  renderLink?: (link: { href: string; label: string; active?: boolean }, className: string) => ReactNode;
}

/** A secondary, section-level navigation (left column on wide screens, a row on narrow ones). */
export function SubNav({ links, renderLink }: SubNavProps) {
  return (
    <nav aria-label="Section" className="flex gap-1 overflow-x-auto md:flex-col">
      {links.map((l) => {
        const className = cn(
          "whitespace-nowrap rounded-md px-3 py-1.5 text-sm transition-colors",
          l.active
            ? "bg-white font-medium text-zinc-900 shadow-xs ring-1 ring-zinc-200"
            : "text-zinc-600 hover:bg-white hover:text-zinc-900",
        );
        return renderLink ? (
          <span key={l.href} className="contents">
            {renderLink(l, className)}
          </span>
        ) : (
          <a key={l.href} href={l.href} className={className} aria-current={l.active ? "page" : undefined}>
            {l.label}
          </a>
        );
      })}
    </nav>
  );
}
