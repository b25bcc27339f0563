import type { ReactNode } from "react";
import { cn } from "./cn.ts";

export interface EmptyStateProps {
  title: string;
  description?: ReactNode;
  /** e.g. a numbered list of next steps or a button */
  children?: ReactNode;
  className?: string;
}

export function EmptyState({ title, description, children, className }: EmptyStateProps) {
  return (
    <div
      className={cn("rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center", className)}
      data-testid="empty-state"
    >
      <h3 className="text-sm font-semibold text-zinc-900">{title}</h3>
      {description ? <div className="mx-auto mt-1 max-w-xl text-sm text-zinc-500">{description}</div> : null}
      {children ? <div className="mx-auto mt-5 max-w-xl text-left">{children}</div> : null}
    </div>
  );
}
