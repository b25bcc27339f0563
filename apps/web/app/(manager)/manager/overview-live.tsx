"use client";

import {
  Badge,
  type BadgeTone,
  Card,
  CardDescription,
  CardHeader,
  CardTitle,
  EmptyState,
  Stat,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
} from "@sluice/ui";
import { useQuery } from "@tanstack/react-query";
import { formatAge, type ManagerOverview, type NodeStatus, STALE_AFTER_MS } from "@/lib/overview-shape";

async function fetchOverview(): Promise<ManagerOverview> {
  const res = await fetch("/api/manager/overview", { cache: "no-store" });
  if (!res.ok) throw new Error(`overview request failed (${res.status})`);
  return res.json();
}

const STATUS: Record<NodeStatus, { label: string; tone: BadgeTone }> = {
  current: { label: "Up to date", tone: "success" },
  behind: { label: "Behind", tone: "warning" },
  stale: { label: "No heartbeat", tone: "danger" },
};

const SETUP_STEPS = [
  {
    key: "providers",
    title: "Add a provider",
    detail: "an upstream such as OpenAI, Anthropic or a local Ollama, with its credentials",
  },
  { key: "routes", title: "Create a route", detail: "a path and the provider models (targets) it balances across" },
  { key: "consumers", title: "Create a consumer", detail: "the application that will call the gateway" },
  { key: "keys", title: "Issue an API key", detail: "for that consumer; it is shown once" },
] as const;

export function OverviewLive({ initial }: { initial: ManagerOverview }) {
  const { data, isError, dataUpdatedAt } = useQuery({
    queryKey: ["manager-overview"],
    queryFn: fetchOverview,
    initialData: initial,
    refetchInterval: 5_000,
  });
  const { counts, nodes, configVersion } = data;
  const nothingConfigured = SETUP_STEPS.every((s) => counts[s.key] === 0);
  const nextStep = SETUP_STEPS.find((s) => counts[s.key] === 0);

  return (
    <div className="space-y-8">
      {isError ? (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-amber-200 ring-inset">
          Live updates paused: the server did not answer. Showing data from {new Date(dataUpdatedAt).toLocaleTimeString()}.
        </p>
      ) : null}

      <dl className="grid grid-cols-2 gap-4 md:grid-cols-5" data-testid="overview-counts">
        <Stat label="Providers" value={counts.providers} />
        <Stat label="Routes" value={counts.routes} />
        <Stat label="Consumers" value={counts.consumers} />
        <Stat label="Active keys" value={counts.keys} />
        <Stat label="Config version" value={configVersion} hint="bumped by every config change" />
      </dl>

      {nextStep ? (
        <EmptyState
          title={nothingConfigured ? "Nothing is configured yet" : "Setup is not finished"}
          description={
            <>
              A gateway answers requests once these exist. Next:{" "}
              <strong className="text-zinc-700">{nextStep.title.toLowerCase()}</strong>.
            </>
          }
        >
          <ol className="space-y-2 text-sm">
            {SETUP_STEPS.map((step, i) => {
              const done = counts[step.key] > 0;
              return (
                <li key={step.key} className="flex gap-3">
                  <span
                    className={`mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full text-xs font-medium ${
                      done ? "bg-emerald-100 text-emerald-700" : "bg-zinc-100 text-zinc-600"
                    }`}
                  >
                    {done ? "✓" : i + 1}
                  </span>
                  <span className={done ? "text-zinc-400 line-through" : "text-zinc-700"}>
                    <span className="font-medium">{step.title}</span>: {step.detail}
                  </span>
                </li>
              );
            })}
          </ol>
          <p className="mt-4 text-xs text-zinc-500">
            Each step has its page in the menu on the left: Providers, Routes, Consumers and API keys.
          </p>
        </EmptyState>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle>Gateway nodes</CardTitle>
          <CardDescription>
            Each gateway reports its applied config version with a heartbeat. A node is stale after {STALE_AFTER_MS / 1000} s
            without one.
          </CardDescription>
        </CardHeader>
        {nodes.length === 0 ? (
          <div className="px-5 py-8 text-center text-sm text-zinc-500" data-testid="nodes-empty">
            No gateway has reported yet. Gateways appear here once they start with this database.
          </div>
        ) : (
          <Table data-testid="nodes-table">
            <THead>
              <tr>
                <TH>Node</TH>
                <TH>Status</TH>
                <TH className="text-right">Applied config</TH>
                <TH>Last heartbeat</TH>
                <TH>Version</TH>
              </tr>
            </THead>
            <TBody>
              {nodes.map((node) => (
                <TR key={node.id}>
                  <TD>
                    <div className="font-mono text-xs text-zinc-900">{node.id}</div>
                    {node.hostname ? <div className="text-xs text-zinc-500">{node.hostname}</div> : null}
                    {node.lastError ? <div className="mt-1 text-xs text-red-600">{node.lastError}</div> : null}
                  </TD>
                  <TD>
                    <Badge tone={STATUS[node.status].tone}>{STATUS[node.status].label}</Badge>
                  </TD>
                  <TD className="text-right tabular-nums">
                    v{node.appliedVersion}
                    {node.appliedVersion < configVersion ? <span className="text-zinc-400"> / v{configVersion}</span> : null}
                  </TD>
                  <TD title={node.heartbeatAt} className="tabular-nums">
                    {formatAge(node.heartbeatAgeMs)}
                  </TD>
                  <TD className="text-xs text-zinc-500">{node.softwareVersion ?? "—"}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
    </div>
  );
}
