"use client";

import { GroupCreateSchema, TeamCreateSchema, fieldErrors as zodFieldErrors } from "@sluice/db/schemas";
import { Button, Card, CardContent, CardHeader, CardTitle, Field, Input } from "@sluice/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ActionResult } from "@/lib/admin-action";
import { FormError, FormSuccess } from "./errors";
import { useAction } from "./use-action";

const SCHEMAS = { group: GroupCreateSchema, team: TeamCreateSchema } as const;

export interface SimpleField {
  name: string;
  label: string;
  hint?: string;
}

/** A small create / edit form of text fields (groups, teams), validated with the shared schema before and on the server. */
export function SimpleForm({
  title,
  fields,
  initial,
  schema,
  action,
  doneHref,
  submitLabel,
}: {
  title: string;
  fields: SimpleField[];
  initial: Record<string, string>;
  /** which shared schema validates the form (a schema object cannot cross from a server component) */
  schema: keyof typeof SCHEMAS;
  action: (input: never) => Promise<ActionResult<unknown>>;
  doneHref: string;
  submitLabel: string;
}) {
  const router = useRouter();
  const [values, setValues] = useState<Record<string, string>>(initial);
  const save = useAction(action);
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4 md:grid-cols-3"
          onSubmit={(e) => {
            e.preventDefault();
            const payload = Object.fromEntries(
              fields.map((f) => [f.name, values[f.name]?.trim() ? values[f.name] : f.name === "name" ? "" : null]),
            );
            const check = SCHEMAS[schema].safeParse(payload);
            if (!check.success) {
              save.setFields(zodFieldErrors(check.error));
              save.setError("Fix the highlighted fields.");
              return;
            }
            save.run([payload as never], { onSuccess: () => router.push(doneHref) });
          }}
        >
          {fields.map((f) => (
            <Field key={f.name} label={f.label} htmlFor={`f-${f.name}`} hint={f.hint} errors={save.fields[f.name]}>
              <Input
                id={`f-${f.name}`}
                value={values[f.name] ?? ""}
                invalid={Boolean(save.fields[f.name])}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              />
            </Field>
          ))}
          <div className="space-y-3 md:col-span-3">
            <FormError message={save.error} />
            <FormSuccess message={save.success} />
            <div className="flex gap-2">
              <Button type="submit" disabled={save.pending}>
                {save.pending ? "Saving…" : submitLabel}
              </Button>
              <Button variant="ghost" onClick={() => router.push(doneHref.split("?")[0] as string)}>
                Cancel
              </Button>
            </div>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
