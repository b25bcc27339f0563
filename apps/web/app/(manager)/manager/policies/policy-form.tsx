"use client";

import type { PolicyView } from "@sluice/db";
import {
  POLICY_SCOPE_FIELD,
  POLICY_SCOPES,
  POLICY_TYPES,
  PolicyConfigSchemas,
  PolicyCreateSchema,
  type PolicyType,
  fieldErrors as zodFieldErrors,
} from "@sluice/db/schemas";
import { Button, Card, CardContent, CardHeader, CardTitle, Field, Input, Select } from "@sluice/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormError, FormSuccess } from "../_components/errors";
import { SchemaForm } from "../_components/schema-form";
import { useAction } from "../_components/use-action";
import { createPolicyAction, updatePolicyAction } from "./actions";

type Option = { id: string; name: string };
type Scope = (typeof POLICY_SCOPES)[number];

const TYPE_HELP: Record<string, string> = {
  "rate-limit": "Requests, tokens or cost per sliding window.",
  cache: "Exact or semantic answer cache.",
  "prompt-template": "Whether requests must use a stored prompt template.",
  "prompt-decorator": "Prepend or append messages.",
  "prompt-guard": "Allow / deny regular expressions over prompts.",
  pii: "Detect and redact or reject personal data.",
  transformer: "Edit headers and JSON-patch request and response bodies.",
  custom: "A policy module loaded by the gateway at startup.",
};

export function PolicyForm({
  policy,
  attachments,
}: {
  policy: PolicyView | null;
  attachments: Record<Exclude<Scope, "GLOBAL">, Option[]>;
}) {
  const router = useRouter();
  const editing = policy !== null;
  const [name, setName] = useState(policy?.name ?? "");
  const [type, setType] = useState<PolicyType>((policy?.type as PolicyType) ?? "rate-limit");
  const [scope, setScope] = useState<Scope>(policy?.scope ?? "GLOBAL");
  const field = POLICY_SCOPE_FIELD[scope];
  const [attachedId, setAttachedId] = useState<string>(field && policy ? (policy[field] ?? "") : "");
  const [position, setPosition] = useState(String(policy?.position ?? 0));
  const [enabled, setEnabled] = useState(policy?.enabled ?? true);
  const [config, setConfig] = useState<Record<string, unknown>>(policy?.config ?? {});
  const save = useAction(editing ? updatePolicyAction.bind(null, policy.id) : createPolicyAction);

  const payload = {
    name,
    type,
    scope,
    ...(field ? { [field]: attachedId || null } : {}),
    position,
    enabled,
    config,
  };
  const configErrors = Object.fromEntries(
    Object.entries(save.fields)
      .filter(([k]) => k.startsWith("config."))
      .map(([k, v]) => [k.split(".")[1] as string, v]),
  );

  function submit() {
    const check = PolicyCreateSchema.safeParse(payload);
    if (!check.success) {
      save.setFields(zodFieldErrors(check.error));
      save.setError("Fix the highlighted fields.");
      return;
    }
    save.run([payload as never], {
      success: editing ? "Policy saved." : "Policy created.",
      onSuccess: () => router.push(`/manager/policies?done=${editing ? "updated" : "created"}`),
    });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>{editing ? `Edit policy ${policy.name}` : "Add a policy"}</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="space-y-5"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div className="grid gap-4 md:grid-cols-3">
            <Field label="Name" htmlFor="policy-name" errors={save.fields.name}>
              <Input
                id="policy-name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                invalid={Boolean(save.fields.name)}
              />
            </Field>
            <Field label="Type" htmlFor="policy-type" hint={TYPE_HELP[type]} errors={save.fields.type}>
              <Select
                id="policy-type"
                value={type}
                onChange={(e) => {
                  setType(e.target.value as PolicyType);
                  setConfig({});
                }}
              >
                {POLICY_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Order" htmlFor="policy-position" hint="lower runs first" errors={save.fields.position}>
              <Input id="policy-position" inputMode="numeric" value={position} onChange={(e) => setPosition(e.target.value)} />
            </Field>
            <Field label="Applies to" htmlFor="policy-scope" errors={save.fields.scope}>
              <Select
                id="policy-scope"
                value={scope}
                onChange={(e) => {
                  setScope(e.target.value as Scope);
                  setAttachedId("");
                }}
              >
                {POLICY_SCOPES.map((s) => (
                  <option key={s} value={s}>
                    {s === "GLOBAL" ? "everything (global)" : `one ${s.toLowerCase()}`}
                  </option>
                ))}
              </Select>
            </Field>
            {scope !== "GLOBAL" && field ? (
              <Field label={`Which ${scope.toLowerCase()}`} htmlFor="policy-attached" errors={save.fields[field]}>
                <Select
                  id="policy-attached"
                  value={attachedId}
                  onChange={(e) => setAttachedId(e.target.value)}
                  invalid={Boolean(save.fields[field])}
                >
                  <option value="">choose…</option>
                  {attachments[scope].map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.name}
                    </option>
                  ))}
                </Select>
              </Field>
            ) : null}
            <label className="inline-flex items-center gap-2 self-end pb-2 text-sm">
              <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
            </label>
          </div>
          <fieldset className="rounded-md border border-zinc-200 p-4">
            <legend className="px-1 text-sm font-medium text-zinc-800">{type} settings</legend>
            <SchemaForm
              key={type}
              idPrefix="policy-config"
              schema={PolicyConfigSchemas[type]}
              value={config}
              onChange={(next) => {
                setConfig(next);
                // the form re-validates live; the last submit's messages no longer apply
                save.setFields({});
                save.setError(null);
              }}
              serverErrors={configErrors}
            />
          </fieldset>
          <FormError message={save.error} />
          <FormSuccess message={save.success} />
          <div className="flex gap-2">
            <Button type="submit" disabled={save.pending}>
              {save.pending ? "Saving…" : editing ? "Save policy" : "Create policy"}
            </Button>
            <Button variant="ghost" onClick={() => router.push("/manager/policies")}>
              Cancel
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
