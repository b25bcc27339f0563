import type { ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { cn } from "./cn.ts";

const control =
  "block w-full rounded-md border bg-white px-3 text-sm text-zinc-900 shadow-xs placeholder:text-zinc-400 focus:outline-2 focus:outline-offset-0 disabled:cursor-not-allowed disabled:bg-zinc-50";
const controlState = (invalid?: boolean) =>
  invalid ? "border-red-400 focus:outline-red-500" : "border-zinc-300 focus:border-zinc-400 focus:outline-zinc-900/10";

export interface FieldProps {
  label: ReactNode;
  htmlFor?: string;
  hint?: ReactNode;
  /** messages shown under the control (e.g. zod issues for this field) */
  errors?: readonly string[];
  className?: string;
  children: ReactNode;
}

/** A labelled control with an optional hint and inline error messages. */
export function Field({ label, htmlFor, hint, errors, className, children }: FieldProps) {
  const errorId = htmlFor && errors?.length ? `${htmlFor}-error` : undefined;
  return (
    <div className={cn("space-y-1.5", className)}>
      <label htmlFor={htmlFor} className="block text-sm font-medium text-zinc-800">
        {label}
      </label>
      {children}
      {errors?.length ? (
        <p id={errorId} className="text-xs text-red-600" data-testid="field-error">
          {errors.join(" · ")}
        </p>
      ) : hint ? (
        <p className="text-xs text-zinc-500">{hint}</p>
      ) : null}
    </div>
  );
}

export interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  invalid?: boolean;
}

export function Select({ className, invalid, ...props }: SelectProps) {
  return (
    <select
      aria-invalid={invalid || undefined}
      className={cn(control, "h-10 pr-8", controlState(invalid), className)}
      {...props}
    />
  );
}

export interface TextareaProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  invalid?: boolean;
}

export function Textarea({ className, invalid, ...props }: TextareaProps) {
  return (
    <textarea aria-invalid={invalid || undefined} className={cn(control, "py-2", controlState(invalid), className)} {...props} />
  );
}

export type AlertTone = "info" | "success" | "warning" | "danger";
const alertTones: Record<AlertTone, string> = {
  info: "bg-sky-50 text-sky-800 ring-sky-200",
  success: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  warning: "bg-amber-50 text-amber-800 ring-amber-200",
  danger: "bg-red-50 text-red-700 ring-red-200",
};

/** A one-line (or short) message: mutation feedback, a warning, an error. */
export function Alert({ tone = "info", className, children }: { tone?: AlertTone; className?: string; children: ReactNode }) {
  return (
    <div
      role={tone === "danger" ? "alert" : "status"}
      className={cn("rounded-md px-3 py-2 text-sm ring-1 ring-inset", alertTones[tone], className)}
    >
      {children}
    </div>
  );
}
