import { Badge, type BadgeTone, Table, TBody, TD, TH, THead, TR } from "@sluice/ui";

// gateway_nodes.health is written by the gateway with each heartbeat: { configVersion, targets: [{ targetId, routeId,
// available, breaker: { state, recentFailures, retryAt, opens, … }, inFlight, ewmaLatencyMs, requests, failures,
// lastCheck }] } (apps/gateway HealthRegistry.snapshot()). Anything it does not recognise is shown as JSON rather than
// guessed at.

interface TargetHealth {
  targetId: string;
  available?: boolean;
  breaker?: { state?: string; recentFailures?: number; retryAt?: number; opens?: number } | string;
  inFlight?: number;
  ewmaLatencyMs?: number;
  ewmaTtftMs?: number;
  requests?: number;
  failures?: number;
  lastCheck?: { at: number; ok: boolean; latencyMs: number; error?: string };
}

function targetsOf(health: unknown): TargetHealth[] | null {
  if (!health || typeof health !== "object") return null;
  const list = Array.isArray(health) ? health : (health as { targets?: unknown }).targets;
  if (!Array.isArray(list)) return null;
  const ok = list.every((t) => t && typeof t === "object" && typeof (t as TargetHealth).targetId === "string");
  return ok ? (list as TargetHealth[]) : null;
}

const stateOf = (t: TargetHealth) => (typeof t.breaker === "string" ? t.breaker : (t.breaker?.state ?? "unknown"));

const tone = (state: string): BadgeTone =>
  state === "closed" ? "success" : state === "half-open" ? "warning" : state === "open" ? "danger" : "neutral";

export interface TargetLabel {
  route: string;
  target: string;
}

export function HealthTable({ health, labels }: { health: unknown; labels: Record<string, TargetLabel> }) {
  if (health === null || health === undefined)
    return <p className="text-sm text-zinc-500">This node reports no target health.</p>;
  const targets = targetsOf(health);
  if (!targets)
    return (
      <pre className="max-h-64 overflow-auto rounded bg-zinc-50 p-3 text-xs text-zinc-700">{JSON.stringify(health, null, 2)}</pre>
    );
  if (targets.length === 0) return <p className="text-sm text-zinc-500">No targets are configured on this node.</p>;
  return (
    <Table data-testid="node-health">
      <THead>
        <tr>
          <TH>Target</TH>
          <TH>Breaker</TH>
          <TH className="text-right">In flight</TH>
          <TH className="text-right">Requests / failures</TH>
          <TH className="text-right">Latency (EWMA)</TH>
          <TH>Last active check</TH>
        </tr>
      </THead>
      <TBody>
        {targets.map((t) => {
          const state = stateOf(t);
          const label = labels[t.targetId];
          const breaker = typeof t.breaker === "object" ? t.breaker : undefined;
          return (
            <TR key={t.targetId}>
              <TD className="text-xs">
                {label ? (
                  <>
                    <div className="font-medium text-zinc-900">{label.target}</div>
                    <div className="text-zinc-500">{label.route}</div>
                  </>
                ) : null}
                <div className="font-mono text-zinc-400">{t.targetId}</div>
              </TD>
              <TD>
                <Badge tone={tone(state)}>{state}</Badge>
                {t.available === false && state === "closed" ? <Badge tone="warning">cooling down</Badge> : null}
                {breaker?.opens ? <div className="mt-1 text-xs text-zinc-500">opened {breaker.opens}×</div> : null}
                {state === "open" && breaker?.retryAt ? (
                  <div className="text-xs text-zinc-500">
                    probe at {new Date(breaker.retryAt).toISOString().slice(11, 19)} UTC
                  </div>
                ) : null}
              </TD>
              <TD className="text-right tabular-nums">{t.inFlight ?? "—"}</TD>
              <TD className="text-right tabular-nums">
                {t.requests ?? 0} / {t.failures ?? 0}
              </TD>
              <TD className="text-right tabular-nums">{t.ewmaLatencyMs !== undefined ? `${t.ewmaLatencyMs} ms` : "—"}</TD>
              <TD className="text-xs">
                {t.lastCheck ? (
                  <span className={t.lastCheck.ok ? "text-emerald-700" : "text-red-600"}>
                    {t.lastCheck.ok ? "passed" : `failed${t.lastCheck.error ? `: ${t.lastCheck.error}` : ""}`} (
                    {t.lastCheck.latencyMs} ms)
                  </span>
                ) : (
                  <span className="text-zinc-400">none</span>
                )}
              </TD>
            </TR>
          );
        })}
      </TBody>
    </Table>
  );
}
