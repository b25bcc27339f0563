"use client";

// The live part of "My usage": totals and the latest requests, refreshed every few seconds through react-query
// (GET /api/portal/usage), starting from what the server rendered.

import {
  Badge,
  Card,
  CardContent,
  CardHeader,
  CardTitle,
  formatCount,
  formatMoney,
  Stat,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
} from "@sluice/ui";
import { useQuery } from "@tanstack/react-query";

export interface LiveEvent {
  id: string;
  requestId: string;
  ts: string;
  consumerId: string | null;
  apiKeyId: string | null;
  model: string | null;
  status: number;
  errorType: string | null;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  cost: string;
  latencyMs: number;
}

export interface LiveUsage {
  totals: { requests: number; errors: number; promptTokens: number; completionTokens: number; totalTokens: number; cost: string };
  recent: LiveEvent[];
}

export function useLiveUsage(query: string, initial: LiveUsage) {
  return useQuery({
    queryKey: ["portal-usage", query],
    queryFn: async (): Promise<LiveUsage> => {
      const res = await fetch(`/api/portal/usage?${query}`, { cache: "no-store" });
      if (!res.ok) throw new Error(`usage request failed (${res.status})`);
      return res.json();
    },
    initialData: initial,
    refetchInterval: 5_000,
  });
}

export function LiveTotals({ query, initial }: { query: string; initial: LiveUsage }) {
  const { data } = useLiveUsage(query, initial);
  const t = data.totals;
  return (
    <dl className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-4" data-testid="usage-totals">
      <Stat label="Requests" value={formatCount(t.requests)} />
      <Stat
        label="Tokens"
        value={formatCount(t.totalTokens)}
        hint={`${formatCount(t.promptTokens)} in · ${formatCount(t.completionTokens)} out`}
      />
      <Stat label="Cost" value={formatMoney(t.cost)} />
      <Stat label="Errors" value={formatCount(t.errors)} />
    </dl>
  );
}

export function LiveRecentRequests({
  query,
  initial,
  appNames,
  keyNames,
}: {
  query: string;
  initial: LiveUsage;
  appNames: Record<string, string>;
  keyNames: Record<string, string>;
}) {
  const { data, isError } = useLiveUsage(query, initial);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Recent requests</CardTitle>
      </CardHeader>
      {isError ? <p className="px-5 pt-3 text-xs text-amber-700">Live updates paused: the server did not answer.</p> : null}
      {data.recent.length === 0 ? (
        <CardContent className="text-sm text-zinc-500">No requests in the last 30 days.</CardContent>
      ) : (
        <EventsTable events={data.recent} appNames={appNames} keyNames={keyNames} testId="usage-recent" />
      )}
    </Card>
  );
}

export function EventsTable({
  events,
  appNames,
  keyNames,
  testId,
}: {
  events: LiveEvent[];
  appNames: Record<string, string>;
  keyNames: Record<string, string>;
  testId: string;
}) {
  return (
    <Table data-testid={testId}>
      <THead>
        <tr>
          <TH>Time (UTC)</TH>
          <TH>Application / key</TH>
          <TH>Model</TH>
          <TH>Status</TH>
          <TH className="text-right">Tokens</TH>
          <TH className="text-right">Cost</TH>
          <TH className="text-right">Latency</TH>
        </tr>
      </THead>
      <TBody>
        {events.map((e) => (
          <TR key={e.id}>
            <TD className="text-xs whitespace-nowrap tabular-nums" title={e.requestId}>
              {new Date(e.ts).toISOString().replace("T", " ").slice(0, 19)}
            </TD>
            <TD className="text-xs">
              <div>{appNames[e.consumerId ?? ""] ?? e.consumerId ?? "—"}</div>
              <div className="text-zinc-500">{keyNames[e.apiKeyId ?? ""] ?? e.apiKeyId ?? ""}</div>
            </TD>
            <TD className="font-mono text-xs">{e.model ?? "—"}</TD>
            <TD>
              <Badge tone={e.status < 400 ? "success" : "danger"}>{e.status}</Badge>
              {e.errorType ? (
                <span className="ml-1 text-xs text-zinc-600">
                  {e.errorType}
                  {e.errorCode ? `: ${e.errorCode}` : ""}
                </span>
              ) : null}
            </TD>
            <TD className="text-right tabular-nums">{formatCount(e.promptTokens + e.completionTokens)}</TD>
            <TD className="text-right tabular-nums">{formatMoney(e.cost)}</TD>
            <TD className="text-right tabular-nums">{e.latencyMs} ms</TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}
