"use client";

import { Button, Card, CardContent, CardDescription, CardHeader, CardTitle, Field, Select } from "@sluice/ui";
import { useState } from "react";
import { FormError, FormSuccess } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { type CachePurgeInput, type CachePurgeResult, purgeCacheAction } from "./actions";

type Option = { id: string; name: string };

function describe(r: CachePurgeResult): string {
  const parts = Object.entries(r.byBackend).map(([backend, n]) => `${n} in ${backend}`);
  return `Purged ${r.purged} cached answer${r.purged === 1 ? "" : "s"}${parts.length ? ` (${parts.join(", ")})` : ""} on ${r.gateway}.`;
}

export function CachePurgeForm({ routes, consumers }: { routes: Option[]; consumers: Option[] }) {
  const [scope, setScope] = useState<CachePurgeInput["scope"]>("route");
  const [routeId, setRouteId] = useState(routes[0]?.id ?? "");
  const [consumerId, setConsumerId] = useState(consumers[0]?.id ?? "");
  const [done, setDone] = useState<string | null>(null);
  const purge = useAction(purgeCacheAction);
  const input: CachePurgeInput = scope === "all" ? { scope } : scope === "route" ? { scope, routeId } : { scope, consumerId };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Purge</CardTitle>
        <CardDescription>Drop cached answers now instead of waiting for their policy's TTL.</CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4"
          data-testid="cache-purge-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (scope === "all" && !window.confirm("Purge every cached answer?")) return;
            setDone(null);
            purge.run([input], { success: "", onSuccess: (r) => setDone(describe(r)) });
          }}
        >
          <Field label="What to purge" htmlFor="scope">
            <Select id="scope" value={scope} onChange={(e) => setScope(e.target.value as CachePurgeInput["scope"])}>
              <option value="route">One route</option>
              <option value="consumer">One consumer (its own partition)</option>
              <option value="all">Everything</option>
            </Select>
          </Field>
          {scope === "route" ? (
            <Field label="Route" htmlFor="routeId" errors={purge.fieldErrors("routeId")}>
              <Select id="routeId" value={routeId} onChange={(e) => setRouteId(e.target.value)}>
                {routes.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </Select>
            </Field>
          ) : null}
          {scope === "consumer" ? (
            <Field label="Consumer" htmlFor="consumerId" errors={purge.fieldErrors("consumerId")}>
              <Select id="consumerId" value={consumerId} onChange={(e) => setConsumerId(e.target.value)}>
                {consumers.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </Select>
            </Field>
          ) : null}
          <FormError message={purge.error} />
          <FormSuccess message={done} />
          <div>
            <Button type="submit" variant={scope === "all" ? "danger" : "primary"} disabled={purge.pending}>
              {purge.pending ? "Purging…" : scope === "all" ? "Purge everything" : "Purge"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
