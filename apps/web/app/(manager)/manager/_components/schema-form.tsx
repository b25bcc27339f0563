"use client";

import { Field, Input, Select, Textarea } from "@sluice/ui";
import { useMemo, useState } from "react";
import { z } from "zod";

// A form generated from a zod schema (through its JSON Schema): numbers, booleans, enums, lists of enums and lists of
// strings get their own controls; anything deeper is edited as JSON. The value is validated with the same schema on
// every change, so errors (an invalid regex, a negative limit) show inline before anything is sent.

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
};

function describe(schema: z.ZodType): JsonSchema {
  try {
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  } catch {
    return {};
  }
}

type Kind = "number" | "integer" | "boolean" | "enum" | "enum-list" | "string-list" | "string" | "json";

function kindOf(s: JsonSchema): Kind {
  if (s.enum) return "enum";
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== "null") : s.type;
  if (t === "integer") return "integer";
  if (t === "number") return "number";
  if (t === "boolean") return "boolean";
  if (t === "string") return "string";
  if (t === "array" && s.items?.enum) return "enum-list";
  if (t === "array" && (s.items?.type === "string" || (s.items && !s.items.type && !s.items.properties && !s.items.anyOf)))
    return "string-list";
  return "json";
}

const label = (key: string) => key.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase());

export function SchemaForm({
  schema,
  value,
  onChange,
  idPrefix,
  serverErrors = {},
}: {
  schema: z.ZodType;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  idPrefix: string;
  /** field errors from the server, keyed by path inside the value */
  serverErrors?: Record<string, string[]>;
}) {
  const json = useMemo(() => describe(schema), [schema]);
  // text of JSON-edited fields, kept while it does not parse
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const result = schema.safeParse(value);
  // live validation first; the server's messages only when the value passes here (they cannot be stale then)
  const errors: Record<string, string[]> = result.success ? { ...serverErrors } : {};
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? "_form");
      const index = issue.path[1];
      const line =
        typeof index === "number" && kindOf(json.properties?.[key] ?? {}) === "string-list" ? `line ${index + 1}` : null;
      const rest = line ?? issue.path.slice(1).join(".");
      errors[key] = [...(errors[key] ?? []), rest ? `${rest}: ${issue.message}` : issue.message];
    }
  }

  const set = (key: string, v: unknown) => {
    const next = { ...value };
    if (v === undefined) delete next[key];
    else next[key] = v;
    onChange(next);
  };

  const props = Object.entries(json.properties ?? {});
  if (props.length === 0) return <p className="text-sm text-zinc-500">This policy type has no settings.</p>;

  return (
    <div className="grid gap-4 md:grid-cols-2" data-testid="schema-form">
      {props.map(([key, prop]) => {
        const id = `${idPrefix}-${key}`;
        const kind = kindOf(prop);
        const current = value[key];
        const hint = [prop.description, prop.default !== undefined ? `default ${JSON.stringify(prop.default)}` : null]
          .filter(Boolean)
          .join(" · ");
        const fieldErrors = errors[key];
        const invalid = Boolean(fieldErrors);
        switch (kind) {
          case "boolean":
            return (
              <Field key={key} label={label(key)} htmlFor={id} hint={hint} errors={fieldErrors}>
                <Select
                  id={id}
                  value={current === undefined ? "" : String(current)}
                  onChange={(e) => set(key, e.target.value === "" ? undefined : e.target.value === "true")}
                >
                  <option value="">default</option>
                  <option value="true">yes</option>
                  <option value="false">no</option>
                </Select>
              </Field>
            );
          case "enum":
            return (
              <Field key={key} label={label(key)} htmlFor={id} hint={hint} errors={fieldErrors}>
                <Select
                  id={id}
                  value={current === undefined ? "" : String(current)}
                  onChange={(e) => set(key, e.target.value || undefined)}
                >
                  <option value="">default</option>
                  {prop.enum?.map((o) => (
                    <option key={String(o)} value={String(o)}>
                      {String(o)}
                    </option>
                  ))}
                </Select>
              </Field>
            );
          case "number":
          case "integer":
            return (
              <Field key={key} label={label(key)} htmlFor={id} hint={hint} errors={fieldErrors}>
                <Input
                  id={id}
                  inputMode="decimal"
                  invalid={invalid}
                  value={current === undefined ? "" : String(current)}
                  onChange={(e) => {
                    const t = e.target.value.trim();
                    set(key, t === "" ? undefined : Number.isNaN(Number(t)) ? t : Number(t));
                  }}
                />
              </Field>
            );
          case "string":
            return (
              <Field key={key} label={label(key)} htmlFor={id} hint={hint} errors={fieldErrors}>
                <Input
                  id={id}
                  invalid={invalid}
                  value={typeof current === "string" ? current : ""}
                  onChange={(e) => set(key, e.target.value || undefined)}
                />
              </Field>
            );
          case "enum-list": {
            const list = Array.isArray(current) ? (current as string[]) : undefined;
            return (
              <Field
                key={key}
                label={label(key)}
                hint={list === undefined ? `${hint || ""} (not set: default)` : hint}
                errors={fieldErrors}
              >
                <div className="flex flex-wrap gap-3 text-sm">
                  {prop.items?.enum?.map((o) => {
                    const name = String(o);
                    const checked = list ? list.includes(name) : false;
                    return (
                      <label key={name} className="inline-flex items-center gap-1.5">
                        <input
                          type="checkbox"
                          checked={checked}
                          onChange={(e) =>
                            set(key, e.target.checked ? [...(list ?? []), name] : (list ?? []).filter((x) => x !== name))
                          }
                        />
                        {name}
                      </label>
                    );
                  })}
                </div>
              </Field>
            );
          }
          case "string-list":
            return (
              <Field
                key={key}
                label={`${label(key)} (one per line)`}
                htmlFor={id}
                hint={hint}
                errors={fieldErrors}
                className="md:col-span-2"
              >
                <Textarea
                  id={id}
                  rows={3}
                  invalid={invalid}
                  className="font-mono text-xs"
                  value={drafts[key] ?? (Array.isArray(current) ? (current as string[]).join("\n") : "")}
                  onChange={(e) => {
                    setDrafts({ ...drafts, [key]: e.target.value });
                    const lines = e.target.value.split("\n").filter((l) => l.trim() !== "");
                    set(key, lines.length ? lines : undefined);
                  }}
                />
              </Field>
            );
          default: {
            const draft = drafts[key] ?? (current === undefined ? "" : JSON.stringify(current, null, 2));
            let parseError: string | null = null;
            if (drafts[key] !== undefined && drafts[key].trim() !== "") {
              try {
                JSON.parse(drafts[key]);
              } catch {
                parseError = "not valid JSON";
              }
            }
            return (
              <Field
                key={key}
                label={`${label(key)} (JSON)`}
                htmlFor={id}
                hint={hint}
                errors={parseError ? [parseError] : fieldErrors}
                className="md:col-span-2"
              >
                <Textarea
                  id={id}
                  rows={4}
                  invalid={invalid || Boolean(parseError)}
                  className="font-mono text-xs"
                  value={draft}
                  onChange={(e) => {
                    setDrafts({ ...drafts, [key]: e.target.value });
                    if (e.target.value.trim() === "") return set(key, undefined);
                    try {
                      set(key, JSON.parse(e.target.value));
                    } catch {
                      // keep the draft; the error shows under the field
                    }
                  }}
                />
              </Field>
            );
          }
        }
      })}
    </div>
  );
}

/** Whether a value is valid for the schema (for disabling a submit button). */
export function isValidFor(schema: z.ZodType, value: unknown): boolean {
  return schema.safeParse(value).success;
}
