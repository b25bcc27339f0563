"use client";

import { ApiKeyIssueSchema, fieldErrors as zodFieldErrors } from "@sluice/db/schemas";
import { Button, Card, CardContent, CardHeader, CardTitle, Field, Input, Select } from "@sluice/ui";
import { useState } from "react";
import { OneTimeSecret } from "../_components/copy-button";
import { FormError } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { issueApiKeyAction, rotateApiKeyAction } from "./actions";

type Option = { id: string; name: string };

export function IssueKeyForm({ consumers, routes, consumerId }: { consumers: Option[]; routes: Option[]; consumerId?: string }) {
  const [consumer, setConsumer] = useState(consumerId ?? consumers[0]?.id ?? "");
  const [name, setName] = useState("default");
  const [expiresAt, setExpiresAt] = useState("");
  const [allowedRoutes, setAllowedRoutes] = useState<string[]>([]);
  const [allowedModels, setAllowedModels] = useState("");
  const [issued, setIssued] = useState<{ plaintext: string; start: string } | null>(null);
  const issue = useAction(issueApiKeyAction);

  if (issued) {
    return (
      <div className="space-y-3">
        <OneTimeSecret
          title="Key issued. Copy it now: it is shown only once."
          secret={issued.plaintext}
          note="Sluice keeps only a hash; if the key is lost, rotate it to get a new one."
        />
        <Button variant="secondary" size="sm" onClick={() => setIssued(null)}>
          Issue another key
        </Button>
      </div>
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Issue a key</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4 md:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            const payload = {
              consumerId: consumer,
              name,
              allowedRoutes,
              allowedModels: allowedModels
                .split(",")
                .map((m) => m.trim())
                .filter(Boolean),
              expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null,
            };
            const check = ApiKeyIssueSchema.safeParse(payload);
            if (!check.success) {
              issue.setFields(zodFieldErrors(check.error));
              issue.setError("Fix the highlighted fields.");
              return;
            }
            issue.run([payload as never], { success: "Key issued.", onSuccess: (data) => setIssued(data) });
          }}
        >
          <Field label="Consumer" htmlFor="key-consumer" errors={issue.fields.consumerId}>
            <Select id="key-consumer" value={consumer} onChange={(e) => setConsumer(e.target.value)}>
              <option value="">choose…</option>
              {consumers.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Key name" htmlFor="key-name" errors={issue.fields.name}>
            <Input id="key-name" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label="Expires (optional)" htmlFor="key-expires" errors={issue.fields.expiresAt}>
            <Input id="key-expires" type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
          </Field>
          <Field
            label="Allowed models (optional)"
            htmlFor="key-models"
            hint="comma separated; empty = all the route serves"
            errors={issue.fields.allowedModels}
          >
            <Input id="key-models" value={allowedModels} onChange={(e) => setAllowedModels(e.target.value)} />
          </Field>
          <fieldset className="md:col-span-2">
            <legend className="mb-1 text-sm font-medium text-zinc-800">Allowed routes</legend>
            <p className="mb-1 text-xs text-zinc-500">None ticked = whatever the consumer's groups allow.</p>
            <div className="flex flex-wrap gap-4 text-sm">
              {routes.map((r) => (
                <label key={r.id} className="inline-flex items-center gap-1.5">
                  <input
                    type="checkbox"
                    checked={allowedRoutes.includes(r.id)}
                    onChange={(e) =>
                      setAllowedRoutes(e.target.checked ? [...allowedRoutes, r.id] : allowedRoutes.filter((x) => x !== r.id))
                    }
                  />
                  {r.name}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="space-y-3 md:col-span-2">
            <FormError message={issue.error} />
            <Button type="submit" disabled={issue.pending}>
              {issue.pending ? "Issuing…" : "Issue key"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

/** Rotate in place: the successor's plaintext is shown once, right here. */
export function RotateKeyButton({ id }: { id: string }) {
  const [grace, setGrace] = useState("0");
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const rotate = useAction(rotateApiKeyAction.bind(null, id));
  if (secret)
    return (
      <div className="max-w-md text-left">
        <OneTimeSecret title="New key (shown once)" secret={secret} note="Replace the old key in the application." />
      </div>
    );
  if (!open)
    return (
      <Button size="sm" variant="secondary" onClick={() => setOpen(true)}>
        Rotate
      </Button>
    );
  return (
    <span className="inline-flex items-center gap-2">
      <label className="text-xs text-zinc-600" htmlFor={`grace-${id}`}>
        old key valid for (s)
      </label>
      <Input id={`grace-${id}`} className="h-8 w-20" value={grace} onChange={(e) => setGrace(e.target.value)} />
      <Button
        size="sm"
        disabled={rotate.pending}
        onClick={() => rotate.run([{ graceSeconds: grace } as never], { onSuccess: (d) => setSecret(d.plaintext) })}
      >
        {rotate.pending ? "Rotating…" : "Rotate now"}
      </Button>
      {rotate.error ? <span className="text-xs text-red-600">{rotate.error}</span> : null}
    </span>
  );
}
