"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/admin-action";

/**
 * Call a server action from a form: pending state, the server's field errors and message, and a refresh of the server
 * components on success. The form's own state is untouched, so nothing the user typed is lost on failure.
 */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<ActionResult<T>>) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [success, setSuccess] = useState<string | null>(null);

  function run(args: A, opts: { success?: string; onSuccess?: (data: T) => void } = {}) {
    setError(null);
    setSuccess(null);
    startTransition(async () => {
      let result: ActionResult<T>;
      try {
        result = await action(...args);
      } catch {
        result = { ok: false, status: 0, message: "Could not reach the server. Check your connection and try again." };
      }
      if (result.ok) {
        setFields({});
        setSuccess(opts.success ?? "Saved.");
        opts.onSuccess?.(result.data);
        router.refresh();
      } else {
        setFields(result.fields ?? {});
        setError(result.message);
      }
    });
  }

  /** messages for one field path, e.g. "targets.0.model" */
  const fieldErrors = (path: string) => fields[path];
  return { run, pending, error, fields, fieldErrors, success, setFields, setError, setSuccess };
}
