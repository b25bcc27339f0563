"use client";

import { Button } from "@sluice/ui";
import { useState } from "react";
import { useAction } from "../_components/use-action";
import { type ProviderConnectionTest, testProviderConnectionAction } from "./actions";

/** "Test connection": the provider's non-billing check run by the gateway; shows status, latency and the answer. */
export function TestConnectionButton({ providerId, name }: { providerId: string; name: string }) {
  const [result, setResult] = useState<ProviderConnectionTest | null>(null);
  const a = useAction(testProviderConnectionAction);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        size="sm"
        variant="secondary"
        disabled={a.pending}
        aria-label={`Test connection to ${name}`}
        onClick={() => {
          setResult(null);
          a.run([providerId], { success: "", onSuccess: setResult });
        }}
      >
        {a.pending ? "Testing…" : "Test"}
      </Button>
      {a.error ? (
        <span role="alert" className="max-w-64 text-left text-xs text-red-600">
          {a.error}
        </span>
      ) : result ? (
        <span
          role="status"
          data-testid="connection-test-result"
          title={result.message}
          className={`max-w-64 truncate text-left text-xs ${result.ok ? "text-emerald-700" : "text-red-600"}`}
        >
          {result.ok ? "✓" : "✗"} {result.status ?? "no answer"} · {result.latencyMs} ms · {result.message}
        </span>
      ) : null}
    </span>
  );
}
