"use client";

import { BudgetCreateSchema, fieldErrors as zodFieldErrors } from "@sluice/db/schemas";
import { Button, Card, CardContent, CardHeader, CardTitle, Field, Input, Select } from "@sluice/ui";
import { useState } from "react";
import { FormError, FormSuccess } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { createBudgetAction } from "../prices/actions";

type Option = { id: string; name: string };
const SCOPE_FIELD = { GLOBAL: null, TEAM: "teamId", CONSUMER: "consumerId", KEY: "apiKeyId", ROUTE: "routeId" } as const;
type Scope = keyof typeof SCOPE_FIELD;

export function BudgetForm({ options }: { options: Record<Exclude<Scope, "GLOBAL">, Option[]> }) {
  const [v, setV] = useState<Record<string, string>>({
    scope: "GLOBAL",
    metric: "COST",
    period: "MONTH",
    timezone: "UTC",
    action: "REJECT",
    currency: "USD",
  });
  const save = useAction(createBudgetAction);
  const set = (k: string, val: string) => setV({ ...v, [k]: val });
  const scope = v.scope as Scope;
  const field = SCOPE_FIELD[scope];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Add a budget</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4 md:grid-cols-4"
          onSubmit={(e) => {
            e.preventDefault();
            const payload = {
              name: v.name ?? "",
              scope,
              ...(field ? { [field]: v.ref || null } : {}),
              metric: v.metric,
              limit: v.limit ?? "",
              currency: v.currency,
              period: v.period,
              timezone: v.timezone,
              action: v.action,
              downgradeTargetId: v.action === "DOWNGRADE" ? v.downgradeTargetId || null : null,
            };
            const check = BudgetCreateSchema.safeParse(payload);
            if (!check.success) {
              const f = zodFieldErrors(check.error);
              if (field && f[field]) f.ref = f[field];
              save.setFields(f);
              save.setError("Fix the highlighted fields.");
              return;
            }
            save.run([payload as never], { success: "Budget created." });
          }}
        >
          <Field label="Name" htmlFor="budget-name" errors={save.fields.name}>
            <Input id="budget-name" value={v.name ?? ""} onChange={(e) => set("name", e.target.value)} />
          </Field>
          <Field label="Applies to" htmlFor="budget-scope">
            <Select id="budget-scope" value={scope} onChange={(e) => setV({ ...v, scope: e.target.value, ref: "" })}>
              {Object.keys(SCOPE_FIELD).map((s) => (
                <option key={s} value={s}>
                  {s === "GLOBAL" ? "everything" : s.toLowerCase()}
                </option>
              ))}
            </Select>
          </Field>
          {scope !== "GLOBAL" ? (
            <Field label={`Which ${scope.toLowerCase()}`} htmlFor="budget-ref" errors={save.fields.ref}>
              <Select id="budget-ref" value={v.ref ?? ""} onChange={(e) => set("ref", e.target.value)}>
                <option value="">choose…</option>
                {options[scope].map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </Select>
            </Field>
          ) : null}
          <Field label="Metric" htmlFor="budget-metric">
            <Select id="budget-metric" value={v.metric} onChange={(e) => set("metric", e.target.value)}>
              <option value="COST">cost</option>
              <option value="TOKENS">tokens</option>
            </Select>
          </Field>
          <Field
            label={v.metric === "COST" ? "Limit (money)" : "Limit (tokens)"}
            htmlFor="budget-limit"
            errors={save.fields.limit}
          >
            <Input
              id="budget-limit"
              inputMode="decimal"
              value={v.limit ?? ""}
              onChange={(e) => set("limit", e.target.value)}
              invalid={Boolean(save.fields.limit)}
            />
          </Field>
          <Field label="Currency" htmlFor="budget-currency" errors={save.fields.currency}>
            <Input id="budget-currency" value={v.currency ?? ""} onChange={(e) => set("currency", e.target.value)} />
          </Field>
          <Field label="Period" htmlFor="budget-period">
            <Select id="budget-period" value={v.period} onChange={(e) => set("period", e.target.value)}>
              {["DAY", "WEEK", "MONTH", "TOTAL"].map((p) => (
                <option key={p} value={p}>
                  {p.toLowerCase()}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Time zone" htmlFor="budget-tz" errors={save.fields.timezone}>
            <Input
              id="budget-tz"
              value={v.timezone ?? ""}
              onChange={(e) => set("timezone", e.target.value)}
              invalid={Boolean(save.fields.timezone)}
            />
          </Field>
          <Field label="When exhausted" htmlFor="budget-action">
            <Select id="budget-action" value={v.action} onChange={(e) => set("action", e.target.value)}>
              <option value="REJECT">reject (429)</option>
              <option value="DOWNGRADE">downgrade to a target</option>
            </Select>
          </Field>
          {v.action === "DOWNGRADE" ? (
            <Field label="Downgrade target id" htmlFor="budget-downgrade" errors={save.fields.downgradeTargetId}>
              <Input
                id="budget-downgrade"
                value={v.downgradeTargetId ?? ""}
                placeholder="tgt_…"
                onChange={(e) => set("downgradeTargetId", e.target.value)}
              />
            </Field>
          ) : null}
          <div className="space-y-3 md:col-span-4">
            <FormError message={save.error} />
            <FormSuccess message={save.success} />
            <Button type="submit" disabled={save.pending}>
              {save.pending ? "Saving…" : "Create budget"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
