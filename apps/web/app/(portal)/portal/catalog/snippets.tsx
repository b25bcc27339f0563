"use client";

import { cn } from "@sluice/ui";
import { useState } from "react";
import { CopyButton } from "../copy-button";

type Lang = "curl" | "typescript" | "python";

export function snippetFor(lang: Lang, baseUrl: string, model: string): string {
  const key = "$SLUICE_API_KEY";
  if (lang === "curl")
    return `curl ${baseUrl}/chat/completions \\
  -H "Authorization: Bearer ${key}" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello!"}]}'`;
  if (lang === "typescript")
    return `import OpenAI from "openai";

const client = new OpenAI({
  baseURL: "${baseUrl}",
  apiKey: process.env.SLUICE_API_KEY,
});

const completion = await client.chat.completions.create({
  model: "${model}",
  messages: [{ role: "user", content: "Hello!" }],
});
console.log(completion.choices[0].message.content);`;
  return `import os
from openai import OpenAI

client = OpenAI(base_url="${baseUrl}", api_key=os.environ["SLUICE_API_KEY"])

completion = client.chat.completions.create(
    model="${model}",
    messages=[{"role": "user", "content": "Hello!"}],
)
print(completion.choices[0].message.content)`;
}

const LABELS: Record<Lang, string> = { curl: "curl", typescript: "TypeScript", python: "Python" };

export function Snippets({ baseUrl, models }: { baseUrl: string; models: string[] }) {
  const [lang, setLang] = useState<Lang>("curl");
  const [model, setModel] = useState(models[0] ?? "gpt-4o-mini");
  const code = snippetFor(lang, baseUrl, model);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <div role="tablist" aria-label="Language" className="flex gap-1 rounded-md bg-zinc-100 p-0.5">
          {(Object.keys(LABELS) as Lang[]).map((l) => (
            <button
              key={l}
              type="button"
              role="tab"
              aria-selected={lang === l}
              onClick={() => setLang(l)}
              className={cn("rounded px-2.5 py-1 text-xs", lang === l ? "bg-white font-medium shadow-xs" : "text-zinc-600")}
            >
              {LABELS[l]}
            </button>
          ))}
        </div>
        {models.length > 1 ? (
          <select
            aria-label="Model for the snippet"
            value={model}
            onChange={(e) => setModel(e.target.value)}
            className="h-7 rounded-md border border-zinc-300 bg-white px-2 text-xs"
          >
            {models.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        ) : null}
        <div className="ml-auto">
          <CopyButton text={code} />
        </div>
      </div>
      <pre
        className="overflow-x-auto rounded-md bg-zinc-950 p-3 text-xs leading-relaxed text-zinc-100"
        data-testid={`snippet-${lang}`}
      >
        <code>{code}</code>
      </pre>
    </div>
  );
}
