"use client";

import { ADMIN_SCOPES, AdminTokenCreateSchema, fieldErrors as zodFieldErrors } from "@sluice/db/schemas";
import { Button, Card, CardContent, CardHeader, CardTitle, Field, Input } from "@sluice/ui";
import { useState } from "react";
import { OneTimeSecret } from "../_components/copy-button";
import { FormError } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { createAdminTokenAction } from "./actions";

const SCOPE_HELP: Record<string, string> = {
  "config:read": "read every config entity, export YAML",
  "config:write": "change config entities, apply YAML",
  "users:write": "users, invites and admin tokens",
  "audit:read": "read the audit log",
};

export function AdminTokenForm() {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["config:read"]);
  const [expiresAt, setExpiresAt] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAction(createAdminTokenAction);
  if (secret)
    return (
      <div className="space-y-3">
        <OneTimeSecret
          title="Admin API token created. Copy it now: it is shown only once."
          secret={secret}
          note="Use it as Authorization: Bearer … against /api/admin/v1, or SLUICE_ADMIN_TOKEN for `pnpm sluice config`."
        />
        <Button variant="secondary" size="sm" onClick={() => setSecret(null)}>
          Create another
        </Button>
      </div>
    );
  return (
    <Card>
      <CardHeader>
        <CardTitle>Create an admin API token</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4 md:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            const payload = { name, scopes, expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null };
            const check = AdminTokenCreateSchema.safeParse(payload);
            if (!check.success) {
              create.setFields(zodFieldErrors(check.error));
              create.setError("Fix the highlighted fields.");
              return;
            }
            create.run([payload as never], { onSuccess: (d) => setSecret(d.plaintext) });
          }}
        >
          <Field label="Name" htmlFor="token-name" errors={create.fields.name} hint="what uses it, e.g. ci-deploy">
            <Input id="token-name" value={name} onChange={(e) => setName(e.target.value)} invalid={Boolean(create.fields.name)} />
          </Field>
          <Field label="Expires (optional)" htmlFor="token-expires" errors={create.fields.expiresAt}>
            <Input id="token-expires" type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
          </Field>
          <fieldset className="md:col-span-2">
            <legend className="mb-1 text-sm font-medium text-zinc-800">Scopes</legend>
            <div className="grid gap-2 text-sm md:grid-cols-2">
              {ADMIN_SCOPES.map((s) => (
                <label key={s} className="inline-flex items-center gap-2">
                  <input
                    type="checkbox"
                    checked={scopes.includes(s)}
                    onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
                  />
                  <span className="font-mono text-xs">{s}</span>
                  <span className="text-xs text-zinc-500">{SCOPE_HELP[s]}</span>
                </label>
              ))}
            </div>
            {create.fields.scopes ? <p className="text-xs text-red-600">{create.fields.scopes.join(" · ")}</p> : null}
          </fieldset>
          <div className="space-y-3 md:col-span-2">
            <FormError message={create.error} />
            <Button type="submit" disabled={create.pending}>
              {create.pending ? "Creating…" : "Create token"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
