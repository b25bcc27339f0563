"use client";

import { Button } from "@sluice/ui";
import { useState } from "react";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      size="sm"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        } catch {
          // clipboard blocked (insecure origin): the text is selectable on screen
        }
      }}
    >
      {copied ? "Copied" : label}
    </Button>
  );
}

/** A secret shown once, with a copy button and a plain warning. */
export function OneTimeSecret({ title, secret, note }: { title: string; secret: string; note: string }) {
  return (
    <div className="space-y-2 rounded-lg border border-emerald-200 bg-emerald-50 p-4" data-testid="one-time-secret">
      <p className="text-sm font-medium text-emerald-900">{title}</p>
      <div className="flex items-center gap-2">
        <code
          className="block flex-1 overflow-x-auto rounded bg-white px-3 py-2 font-mono text-sm text-zinc-900 ring-1 ring-emerald-200"
          data-testid="secret-value"
        >
          {secret}
        </code>
        <CopyButton text={secret} />
      </div>
      <p className="text-xs text-emerald-800">{note}</p>
    </div>
  );
}
