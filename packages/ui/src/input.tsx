import type { InputHTMLAttributes, LabelHTMLAttributes } from "react";
import { cn } from "./cn.ts";

export interface InputProps extends InputHTMLAttributes<HTMLInputElement> {
  invalid?: boolean;
}

export function Input({ className, invalid, ...props }: InputProps) {
  return (
    <input
      aria-invalid={invalid || undefined}
      className={cn(
        "block h-10 w-full rounded-md border bg-white px-3 text-sm text-zinc-900 shadow-xs placeholder:text-zinc-400",
        "focus:outline-2 focus:outline-offset-0 disabled:cursor-not-allowed disabled:bg-zinc-50",
        invalid ? "border-red-400 focus:outline-red-500" : "border-zinc-300 focus:border-zinc-400 focus:outline-zinc-900/10",
        className,
      )}
      {...props}
    />
  );
}

export function Label({ className, children, ...props }: LabelHTMLAttributes<HTMLLabelElement>) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: callers pass htmlFor or nest the control
    <label className={cn("block text-sm font-medium text-zinc-800", className)} {...props}>
      {children}
    </label>
  );
}
