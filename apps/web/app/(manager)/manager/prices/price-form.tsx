"use client";

import { PROVIDER_KINDS, PriceCreateSchema, fieldErrors as zodFieldErrors } from "@sluice/db/schemas";
import { Button, Card, CardContent, CardDescription, CardHeader, CardTitle, Field, Input, Select } from "@sluice/ui";
import { useState } from "react";
import { FormError, FormSuccess } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { createPriceAction } from "./actions";

const FIELDS = [
  ["inputPer1M", "Input / 1M tokens"],
  ["outputPer1M", "Output / 1M tokens"],
  ["cachedInputPer1M", "Cached input / 1M (optional)"],
  ["reasoningPer1M", "Reasoning / 1M (optional)"],
] as const;

export function PriceForm() {
  const [v, setV] = useState<Record<string, string>>({ providerKind: "openai", currency: "USD" });
  const save = useAction(createPriceAction);
  const set = (k: string, val: string) => setV({ ...v, [k]: val });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Add a price</CardTitle>
        <CardDescription>
          A price applies from its effective date to new usage only; earlier usage keeps the price it was billed at.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4 md:grid-cols-4"
          onSubmit={(e) => {
            e.preventDefault();
            const payload = {
              providerKind: v.providerKind,
              model: v.model ?? "",
              inputPer1M: v.inputPer1M ?? "",
              outputPer1M: v.outputPer1M ?? "",
              cachedInputPer1M: v.cachedInputPer1M || null,
              reasoningPer1M: v.reasoningPer1M || null,
              currency: v.currency,
              contextWindow: v.contextWindow || null,
              ...(v.effectiveFrom ? { effectiveFrom: new Date(v.effectiveFrom).toISOString() } : {}),
            };
            const check = PriceCreateSchema.safeParse(payload);
            if (!check.success) {
              save.setFields(zodFieldErrors(check.error));
              save.setError("Fix the highlighted fields.");
              return;
            }
            save.run([payload as never], { success: "Price added." });
          }}
        >
          <Field label="Provider kind" htmlFor="price-kind">
            <Select id="price-kind" value={v.providerKind} onChange={(e) => set("providerKind", e.target.value)}>
              {PROVIDER_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Model" htmlFor="price-model" errors={save.fields.model}>
            <Input id="price-model" value={v.model ?? ""} onChange={(e) => set("model", e.target.value)} />
          </Field>
          <Field label="Currency" htmlFor="price-currency" errors={save.fields.currency}>
            <Input id="price-currency" value={v.currency ?? ""} onChange={(e) => set("currency", e.target.value)} />
          </Field>
          <Field label="Effective from" htmlFor="price-from" hint="empty = now" errors={save.fields.effectiveFrom}>
            <Input
              id="price-from"
              type="datetime-local"
              value={v.effectiveFrom ?? ""}
              onChange={(e) => set("effectiveFrom", e.target.value)}
            />
          </Field>
          {FIELDS.map(([k, label]) => (
            <Field key={k} label={label} htmlFor={`price-${k}`} errors={save.fields[k]}>
              <Input
                id={`price-${k}`}
                inputMode="decimal"
                value={v[k] ?? ""}
                onChange={(e) => set(k, e.target.value)}
                invalid={Boolean(save.fields[k])}
              />
            </Field>
          ))}
          <div className="space-y-3 md:col-span-4">
            <FormError message={save.error} />
            <FormSuccess message={save.success} />
            <Button type="submit" disabled={save.pending}>
              {save.pending ? "Adding…" : "Add price"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
