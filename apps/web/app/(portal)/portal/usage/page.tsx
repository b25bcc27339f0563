import {
  getPortalUsageOverTime,
  getPortalUsageTotals,
  listApplicationsForOwner,
  listCatalogForDeveloper,
  listPortalBudgets,
  listPortalRecentErrors,
  listPortalRecentRequests,
  type PortalDimension,
  type UsageEventRow,
} from "@sluice/db";
import {
  Badge,
  buttonClasses,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  formatCount,
  formatMoney,
  groupName,
  PageHeader,
  parseRange,
  RANGE_LABELS,
  type SeriesMetric,
  seriesToChartData,
  sumDecimals,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
} from "@sluice/ui";
import { TimeSeriesChart } from "@sluice/ui/charts";
import type { Metadata } from "next";
import { requireRole } from "@/lib/session";
import { EventsTable, type LiveEvent, LiveRecentRequests, LiveTotals, type LiveUsage } from "./live-usage";

export const metadata: Metadata = { title: "My usage" };
export const dynamic = "force-dynamic";

type SP = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? null;

const GROUPS: Record<string, PortalDimension | null> = { none: null, consumer: "consumer", key: "key", model: "model" };
const METRICS: SeriesMetric[] = ["cost", "requests", "tokens", "errors"];

export default async function UsagePage({ searchParams }: { searchParams: Promise<SP> }) {
  const user = await requireRole("DEVELOPER", "ADMIN");
  const sp = await searchParams;
  const range = parseRange({ range: one(sp.range), from: one(sp.from), to: one(sp.to) }, { defaultPreset: "7d" });
  const bucket = range.preset === "24h" ? "hour" : (one(sp.bucket) as "day" | "week" | "hour" | null) === "week" ? "week" : "day";
  const groupKey = one(sp.group) ?? "consumer";
  const groupBy = groupKey in GROUPS ? (GROUPS[groupKey] ?? null) : "consumer";
  const metric = (METRICS as string[]).includes(one(sp.metric) ?? "") ? (one(sp.metric) as SeriesMetric) : "cost";
  const app = one(sp.app);
  const filter = { from: range.from, to: range.to, consumerIds: app ? [app] : undefined };
  const exportQuery = (view: string) => {
    const q = new URLSearchParams({ view, group: groupKey });
    if (range.preset) q.set("range", range.preset);
    if (app) q.set("app", app);
    return q.toString();
  };

  // the developer's id scopes every query below (in its SQL), whatever the URL says
  const [apps, series, totals, errors, recent, budgets, catalog] = await Promise.all([
    listApplicationsForOwner(user.id),
    getPortalUsageOverTime(user.id, { filter, bucket, groupBy }),
    getPortalUsageTotals(user.id, filter),
    listPortalRecentErrors(user.id, { consumerIds: filter.consumerIds, limit: 20 }),
    listPortalRecentRequests(user.id, { consumerIds: filter.consumerIds, limit: 20 }),
    listPortalBudgets(user.id),
    listCatalogForDeveloper(user.id),
  ]);
  const chart = seriesToChartData(series.buckets, series.points, metric, bucket);
  const appName = new Map(apps.map((a) => [a.id, a.name]));
  const keyName = new Map(apps.flatMap((a) => a.keys.map((k) => [k.id, `${k.name} (${k.start}…)`] as const)));
  const appNames = Object.fromEntries(appName);
  const keyNames = Object.fromEntries(keyName);
  const live: LiveUsage = { totals, recent: recent.events.map(toLive) };
  const liveQuery = exportQuery("live");
  const rateLimits = [
    ...new Map(catalog.flatMap((r) => r.limits.filter((l) => l.kind === "rate-limit").map((l) => [l.id, l]))).values(),
  ];

  // per-group totals for the table beside the chart
  const groups = new Map<string, { name: string; requests: number; tokens: number; cost: string[] }>();
  for (const p of series.points) {
    const k = p.group ?? "total";
    const g = groups.get(k) ?? { name: groupName(p.group, p.label), requests: 0, tokens: 0, cost: [] };
    g.requests += p.requests;
    g.tokens += p.totalTokens;
    g.cost.push(p.cost);
    groups.set(k, g);
  }

  return (
    <>
      <PageHeader
        title="My usage"
        description="Requests, tokens and cost of your applications, your budgets and your recent errors."
        actions={
          <>
            <a href={`/api/portal/export?${exportQuery("portal-usage")}`} className={buttonClasses("secondary", "sm")} download>
              Usage CSV
            </a>
            <a href={`/api/portal/export?${exportQuery("portal-events")}`} className={buttonClasses("secondary", "sm")} download>
              Requests CSV
            </a>
          </>
        }
      />
      <form method="get" className="mb-6 flex flex-wrap items-end gap-3 text-sm" data-testid="usage-filters">
        <label className="space-y-1">
          <span className="block text-xs text-zinc-500">Range</span>
          <select
            name="range"
            defaultValue={range.preset ?? "7d"}
            className="h-9 rounded-md border border-zinc-300 bg-white px-2"
          >
            {(["24h", "7d", "30d", "90d", "mtd"] as const).map((r) => (
              <option key={r} value={r}>
                {RANGE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1">
          <span className="block text-xs text-zinc-500">Application</span>
          <select name="app" defaultValue={app ?? ""} className="h-9 rounded-md border border-zinc-300 bg-white px-2">
            <option value="">All applications</option>
            {apps.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1">
          <span className="block text-xs text-zinc-500">Split by</span>
          <select name="group" defaultValue={groupKey} className="h-9 rounded-md border border-zinc-300 bg-white px-2">
            <option value="consumer">Application</option>
            <option value="key">Key</option>
            <option value="model">Model</option>
            <option value="none">Nothing</option>
          </select>
        </label>
        <label className="space-y-1">
          <span className="block text-xs text-zinc-500">Show</span>
          <select name="metric" defaultValue={metric} className="h-9 rounded-md border border-zinc-300 bg-white px-2">
            <option value="cost">Cost</option>
            <option value="requests">Requests</option>
            <option value="tokens">Tokens</option>
            <option value="errors">Errors</option>
          </select>
        </label>
        <button type="submit" className="h-9 rounded-md bg-zinc-900 px-3 font-medium text-white">
          Apply
        </button>
      </form>

      <LiveTotals query={liveQuery} initial={live} />

      <div className="mb-6 grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>
              {metric === "cost" ? "Cost" : metric === "tokens" ? "Tokens" : metric === "errors" ? "Errors" : "Requests"} per{" "}
              {bucket}
            </CardTitle>
          </CardHeader>
          <CardContent>
            <TimeSeriesChart
              data={chart.data}
              series={chart.series}
              unit={metric === "cost" ? "money" : "count"}
              ariaLabel={`${metric} per ${bucket}`}
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>By {groupBy === "consumer" ? "application" : (groupBy ?? "total")}</CardTitle>
          </CardHeader>
          <Table data-testid="usage-groups">
            <THead>
              <tr>
                <TH>Name</TH>
                <TH className="text-right">Requests</TH>
                <TH className="text-right">Cost</TH>
              </tr>
            </THead>
            <TBody>
              {[...groups.values()].map((g) => (
                <TR key={g.name}>
                  <TD>{g.name}</TD>
                  <TD className="text-right tabular-nums">{formatCount(g.requests)}</TD>
                  <TD className="text-right tabular-nums">{formatMoney(sumDecimals(g.cost))}</TD>
                </TR>
              ))}
              {groups.size === 0 ? (
                <TR>
                  <TD colSpan={3} className="text-center text-zinc-500">
                    No requests in this range.
                  </TD>
                </TR>
              ) : null}
            </TBody>
          </Table>
        </Card>
      </div>

      <div className="mb-6 grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Budgets</CardTitle>
            <CardDescription>On your applications and keys, in their current period.</CardDescription>
          </CardHeader>
          {budgets.length === 0 ? (
            <CardContent className="text-sm text-zinc-500">No budgets on your applications or keys.</CardContent>
          ) : (
            <Table data-testid="usage-budgets">
              <THead>
                <tr>
                  <TH>Budget</TH>
                  <TH className="text-right">Used</TH>
                  <TH className="text-right">Remaining</TH>
                  <TH className="text-right">Forecast</TH>
                </tr>
              </THead>
              <TBody>
                {budgets.map((b) => {
                  const fmt = (v: string | null) =>
                    b.metric === "TOKENS" ? formatCount(v?.split(".")[0] ?? null) : formatMoney(v, b.currency);
                  return (
                    <TR key={b.budgetId}>
                      <TD>
                        <div>{b.name}</div>
                        <div className="text-xs text-zinc-500">
                          {b.scope === "KEY" ? keyName.get(b.scopeId ?? "") : appName.get(b.scopeId ?? "")} · {fmt(b.limit)} per{" "}
                          {b.period.toLowerCase()}
                        </div>
                      </TD>
                      <TD className="text-right tabular-nums">{fmt(b.used)}</TD>
                      <TD className="text-right tabular-nums">{fmt(b.remaining)}</TD>
                      <TD className="text-right">
                        <Badge tone={b.health === "ok" ? "success" : b.health === "at-risk" ? "warning" : "danger"}>
                          {b.forecast ? fmt(b.forecast) : b.health}
                        </Badge>
                      </TD>
                    </TR>
                  );
                })}
              </TBody>
            </Table>
          )}
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Rate limits that apply</CardTitle>
          </CardHeader>
          <CardContent>
            {rateLimits.length === 0 ? (
              <p className="text-sm text-zinc-500">No rate limits apply to your routes.</p>
            ) : (
              <ul className="space-y-1 text-sm">
                {rateLimits.map((l) => (
                  <li key={l.id}>
                    <span className="font-medium">{l.summary}</span>{" "}
                    <span className="text-xs text-zinc-500">
                      ({l.name}, {l.scope})
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Recent errors</CardTitle>
          <CardDescription>Failed requests of the last 30 days, with their error type.</CardDescription>
        </CardHeader>
        {errors.events.length === 0 ? (
          <CardContent className="text-sm text-zinc-500">No errors in the last 30 days.</CardContent>
        ) : (
          <EventsTable events={errors.events.map(toLive)} appNames={appNames} keyNames={keyNames} testId="usage-errors" />
        )}
      </Card>
      <div className="h-6" />
      <LiveRecentRequests query={liveQuery} initial={live} appNames={appNames} keyNames={keyNames} />
    </>
  );
}

function toLive(e: UsageEventRow): LiveEvent {
  return { ...e, ts: e.ts.toISOString() };
}
