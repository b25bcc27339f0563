"use client";

import {
  PromptTemplateBodySchema,
  PromptTemplateCreateSchema,
  renderTemplatePreview,
  templateVariables,
  fieldErrors as zodFieldErrors,
} from "@sluice/db/schemas";
import { Button, Card, CardContent, CardDescription, CardHeader, CardTitle, Field, Input, Select, Textarea } from "@sluice/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormError, FormSuccess } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { addTemplateVersionAction, createTemplateAction } from "./actions";

type Message = { role: "system" | "developer" | "user" | "assistant"; content: string };
const ROLES: Message["role"][] = ["system", "developer", "user", "assistant"];

type Keyed = Message & { key: string };
let seq = 0;
const keyed = (m: Message): Keyed => ({ ...m, key: `m${++seq}` });

/** Create a template, or write its next version; with a live preview filled with sample values. */
export function TemplateEditor({ template }: { template: { id: string; name: string; messages: Message[] } | null }) {
  const router = useRouter();
  const [name, setName] = useState(template?.name ?? "");
  const [description, setDescription] = useState("");
  const [messages, setMessages] = useState<Keyed[]>(() =>
    (template?.messages ?? [{ role: "system", content: "You are a helpful assistant. Answer in {{language}}." }]).map(keyed),
  );
  const [samples, setSamples] = useState<Record<string, string>>({});
  const save = useAction(template ? addTemplateVersionAction.bind(null, template.id) : createTemplateAction);
  const body = { messages: messages.map(({ key: _key, ...m }) => m) };
  const variables = templateVariables(body);
  const preview = renderTemplatePreview(body, samples);

  function submit() {
    const payload = template ? { body } : { name, description: description || null, body };
    const check = (template ? PromptTemplateBodySchema : PromptTemplateCreateSchema).safeParse(template ? body : payload);
    if (!check.success) {
      save.setFields(zodFieldErrors(check.error));
      save.setError("Fix the highlighted fields.");
      return;
    }
    save.run([payload as never], {
      success: template ? "New version saved and made current." : "Template created.",
      onSuccess: (r) => {
        if (!template) router.push(`/manager/templates/${r}?done=created`);
      },
    });
  }

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card>
        <CardHeader>
          <CardTitle>{template ? "Write a new version" : "New template"}</CardTitle>
          <CardDescription>{"Use {{variable}} placeholders; callers fill them per request."}</CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          {template ? null : (
            <div className="grid gap-4 md:grid-cols-2">
              <Field label="Name" htmlFor="tpl-name" hint="what requests ask for: {template://name}" errors={save.fields.name}>
                <Input id="tpl-name" value={name} onChange={(e) => setName(e.target.value)} invalid={Boolean(save.fields.name)} />
              </Field>
              <Field label="Description" htmlFor="tpl-description">
                <Input id="tpl-description" value={description} onChange={(e) => setDescription(e.target.value)} />
              </Field>
            </div>
          )}
          {messages.map((m, i) => (
            <div key={m.key} className="space-y-2 rounded-md border border-zinc-200 p-3">
              <div className="flex items-center gap-2">
                <Select
                  aria-label={`Role of message ${i + 1}`}
                  className="h-8 w-40"
                  value={m.role}
                  onChange={(e) =>
                    setMessages(messages.map((x, j) => (j === i ? { ...x, role: e.target.value as Message["role"] } : x)))
                  }
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
                <Button variant="ghost" size="sm" onClick={() => setMessages(messages.filter((_, j) => j !== i))}>
                  Remove
                </Button>
              </div>
              <Textarea
                aria-label={`Content of message ${i + 1}`}
                rows={4}
                value={m.content}
                onChange={(e) => setMessages(messages.map((x, j) => (j === i ? { ...x, content: e.target.value } : x)))}
              />
            </div>
          ))}
          {save.fields["body.messages"] || save.fields.messages ? (
            <p className="text-xs text-red-600">{(save.fields["body.messages"] ?? save.fields.messages)?.join(" · ")}</p>
          ) : null}
          <Button variant="secondary" size="sm" onClick={() => setMessages([...messages, keyed({ role: "user", content: "" })])}>
            Add message
          </Button>
          <FormError message={save.error} />
          <FormSuccess message={save.success} />
          <Button onClick={submit} disabled={save.pending}>
            {save.pending ? "Saving…" : template ? "Save as new version" : "Create template"}
          </Button>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Preview</CardTitle>
          <CardDescription>Variables: {variables.length ? variables.join(", ") : "none"}</CardDescription>
        </CardHeader>
        <CardContent className="space-y-3">
          {variables.map((v) => (
            <Field key={v} label={v} htmlFor={`sample-${v}`}>
              <Input
                id={`sample-${v}`}
                value={samples[v] ?? ""}
                placeholder="sample value"
                onChange={(e) => setSamples({ ...samples, [v]: e.target.value })}
              />
            </Field>
          ))}
          <pre
            className="max-h-96 overflow-auto whitespace-pre-wrap rounded bg-zinc-950 p-3 text-xs text-zinc-100"
            data-testid="template-preview"
          >
            {preview.messages.map((m) => `[${m.role}]\n${m.content}`).join("\n\n")}
          </pre>
          {preview.missing.length ? (
            <p className="text-xs text-amber-700">
              Missing values: {preview.missing.join(", ")} (the gateway answers 400 naming them).
            </p>
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}
