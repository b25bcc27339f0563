"use client";

import { Button, type ButtonVariant } from "@sluice/ui";
import type { ActionResult } from "@/lib/admin-action";
import { useAction } from "./use-action";

/** A one-click mutation (enable, disable, revoke, delete) with an optional confirmation and inline feedback. */
export function ActionButton<T>({
  action,
  label,
  pendingLabel,
  confirm,
  variant = "secondary",
  success,
  ariaLabel,
}: {
  action: () => Promise<ActionResult<T>>;
  label: string;
  pendingLabel?: string;
  confirm?: string;
  variant?: ButtonVariant;
  success?: string;
  /** accessible name when the label is a symbol */
  ariaLabel?: string;
}) {
  const a = useAction(action);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        size="sm"
        variant={variant}
        disabled={a.pending}
        aria-label={ariaLabel}
        onClick={() => {
          if (confirm && !window.confirm(confirm)) return;
          a.run([], { success: success ?? "Done." });
        }}
      >
        {a.pending ? (pendingLabel ?? `${label}…`) : label}
      </Button>
      {a.error ? (
        <span role="alert" className="text-xs text-red-600">
          {a.error}
        </span>
      ) : a.success ? (
        <span role="status" className="text-xs text-emerald-700">
          {a.success}
        </span>
      ) : null}
    </span>
  );
}
