import {
  type BudgetStatus,
  getBudgetBurnDown,
  getCacheSavings,
  getSpendOverTime,
  getUsageTotals,
  listBudgetStatuses,
  listFinanceFilterOptions,
  listTopSpenders,
} from "@sluice/db";
import {
  Badge,
  bucketLabel,
  buttonClasses,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  formatCount,
  formatDecimal,
  formatMoney,
  groupName,
  PageHeader,
  Stat,
  seriesToChartData,
  sumDecimals,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
} from "@sluice/ui";
import { BurnDownChart, RankedBarChart, TimeSeriesChart } from "@sluice/ui/charts";
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { requireRole } from "@/lib/session";
import { FilterBar } from "./filter-bar";
import { type FinanceCsvView, type FinanceParams, financeQuery, parseFinanceParams } from "./params";

export const metadata: Metadata = { title: "Finance" };
export const dynamic = "force-dynamic";

const DIMENSION_LABEL: Record<string, string> = {
  team: "team",
  consumer: "consumer",
  key: "key",
  model: "model",
  provider: "provider",
  route: "route",
};
const BURN_DOWN_CHARTS = 6;

function CsvLink({ view, params }: { view: FinanceCsvView; params: FinanceParams }) {
  return (
    <a
      href={`/api/finance/export?${financeQuery(params, { view })}`}
      className={buttonClasses("secondary", "sm")}
      data-testid={`csv-${view}`}
      download
    >
      CSV
    </a>
  );
}

function Section({
  title,
  description,
  actions,
  children,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card>
      <CardHeader>
        <div className="flex flex-wrap items-start justify-between gap-2">
          <div>
            <CardTitle>{title}</CardTitle>
            {description ? <CardDescription>{description}</CardDescription> : null}
          </div>
          {actions}
        </div>
      </CardHeader>
      {children}
    </Card>
  );
}

export default async function FinancePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireRole("FINANCE", "ADMIN");
  const params = parseFinanceParams(await searchParams);
  const { filter, bucket, timeZone, groupBy, top } = params;

  const [options, totals, series, spenders, savings, budgets] = await Promise.all([
    listFinanceFilterOptions(),
    getUsageTotals(filter),
    getSpendOverTime({ filter, bucket, timeZone, groupBy, topGroups: 8 }),
    listTopSpenders({ filter, by: top, limit: 10 }),
    getCacheSavings({ filter, bucket, timeZone }),
    listBudgetStatuses(),
  ]);
  const burnDowns = await Promise.all(budgets.slice(0, BURN_DOWN_CHARTS).map((b) => getBudgetBurnDown(b.budgetId)));

  const chart = seriesToChartData(series.buckets, series.points, "cost", bucket, timeZone);
  const groups = new Map<string, { name: string; requests: number; tokens: number; costs: string[] }>();
  for (const p of series.points) {
    const k = p.group ?? "total";
    const g = groups.get(k) ?? { name: groupName(p.group, p.label), requests: 0, tokens: 0, costs: [] };
    g.requests += p.requests;
    g.tokens += p.totalTokens;
    g.costs.push(p.cost);
    groups.set(k, g);
  }
  const perBucket = new Map<number, string[]>();
  for (const p of series.points) {
    const t = new Date(p.bucket).getTime();
    perBucket.set(t, [...(perBucket.get(t) ?? []), p.cost]);
  }

  return (
    <>
      <PageHeader
        title="Finance"
        description="AI spend by team, consumer, key, model, provider and route. Amounts are exact; charts round for display."
        actions={
          <Link
            href={`/finance/chargeback?${financeQuery(params, { range: params.range.preset === "30d" ? "ytd" : params.range.preset })}`}
            className={buttonClasses("secondary", "sm")}
          >
            Chargeback report
          </Link>
        }
      />
      <FilterBar params={params} options={options} action="/finance" />

      <dl className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-5" data-testid="finance-totals">
        <Stat label="Spend" value={formatMoney(totals.cost)} hint={`${params.range.fromDay} – ${params.range.toDay}`} />
        <Stat label="Requests" value={formatCount(totals.requests)} />
        <Stat label="Tokens" value={formatCount(totals.totalTokens)} />
        <Stat label="Cache savings" value={formatMoney(totals.savedCost)} />
        <Stat label="Errors" value={formatCount(totals.errors)} />
      </dl>

      <div className="space-y-6">
        <Section
          title={`Spend per ${bucket}${groupBy ? ` by ${DIMENSION_LABEL[groupBy]}` : ""}`}
          description={groupBy ? "The 8 biggest groups keep their own series; the rest are summed as Other." : undefined}
          actions={<CsvLink view="spend-over-time" params={params} />}
        >
          <div className="grid gap-4 p-4 lg:grid-cols-5">
            <div className="lg:col-span-3">
              <TimeSeriesChart data={chart.data} series={chart.series} ariaLabel="Spend over time" />
            </div>
            <div className="lg:col-span-2">
              <Table data-testid="spend-table">
                <THead>
                  <tr>
                    <TH>{groupBy ? DIMENSION_LABEL[groupBy] : "Total"}</TH>
                    <TH className="text-right">Requests</TH>
                    <TH className="text-right">Tokens</TH>
                    <TH className="text-right">Spend</TH>
                  </tr>
                </THead>
                <TBody>
                  {[...groups.entries()]
                    .sort((a, b) => Number(sumDecimals(b[1].costs)) - Number(sumDecimals(a[1].costs)))
                    .map(([k, g]) => (
                      <TR key={k}>
                        <TD>{g.name}</TD>
                        <TD className="text-right tabular-nums">{formatCount(g.requests)}</TD>
                        <TD className="text-right tabular-nums">{formatCount(g.tokens)}</TD>
                        <TD className="text-right tabular-nums" title={sumDecimals(g.costs)}>
                          {formatMoney(sumDecimals(g.costs))}
                        </TD>
                      </TR>
                    ))}
                  {groups.size === 0 ? (
                    <TR>
                      <TD colSpan={4} className="text-center text-zinc-500">
                        No usage in this range.
                      </TD>
                    </TR>
                  ) : null}
                </TBody>
              </Table>
              <details className="mt-3 text-sm">
                <summary className="cursor-pointer text-zinc-600">Per {bucket}</summary>
                <Table>
                  <TBody>
                    {series.buckets.map((b) => (
                      <TR key={new Date(b).toISOString()}>
                        <TD className="tabular-nums">{bucketLabel(b, bucket, timeZone)}</TD>
                        <TD className="text-right tabular-nums">
                          {formatMoney(sumDecimals(perBucket.get(new Date(b).getTime()) ?? []))}
                        </TD>
                      </TR>
                    ))}
                  </TBody>
                </Table>
              </details>
            </div>
          </div>
        </Section>

        <Section
          title={`Top spenders by ${DIMENSION_LABEL[top]}`}
          description={
            <span className="flex flex-wrap gap-2">
              {Object.keys(DIMENSION_LABEL).map((d) => (
                <Link
                  key={d}
                  href={`/finance?${financeQuery(params, { top: d })}`}
                  className={d === top ? "font-medium text-zinc-900 underline" : "text-zinc-500 hover:text-zinc-800"}
                  aria-current={d === top ? "true" : undefined}
                >
                  {DIMENSION_LABEL[d]}
                </Link>
              ))}
            </span>
          }
          actions={<CsvLink view="top-spenders" params={params} />}
        >
          <div className="grid gap-4 p-4 lg:grid-cols-2">
            <RankedBarChart
              data={spenders.map((s) => ({ label: groupName(s.id, s.label), value: Number(s.cost) }))}
              ariaLabel={`Top spenders by ${top}`}
            />
            <Table data-testid="top-spenders-table">
              <THead>
                <tr>
                  <TH>{DIMENSION_LABEL[top]}</TH>
                  <TH className="text-right">Requests</TH>
                  <TH className="text-right">Spend</TH>
                  <TH className="text-right">Share</TH>
                </tr>
              </THead>
              <TBody>
                {spenders.map((s) => (
                  <TR key={s.id}>
                    <TD>{groupName(s.id, s.label)}</TD>
                    <TD className="text-right tabular-nums">{formatCount(s.requests)}</TD>
                    <TD className="text-right tabular-nums" title={s.cost}>
                      {formatMoney(s.cost)}
                    </TD>
                    <TD className="text-right tabular-nums">{(s.share * 100).toFixed(1)}%</TD>
                  </TR>
                ))}
                {spenders.length === 0 ? (
                  <TR>
                    <TD colSpan={4} className="text-center text-zinc-500">
                      No usage in this range.
                    </TD>
                  </TR>
                ) : null}
              </TBody>
            </Table>
          </div>
        </Section>

        <Section
          title="Cached-answer savings"
          description={`${formatCount(savings.totals.cacheHits)} cache hits of ${formatCount(savings.totals.requests)} requests (${(savings.totals.hitRate * 100).toFixed(1)}%) saved ${formatMoney(savings.totals.savedCost)}.`}
          actions={<CsvLink view="cache-savings" params={params} />}
        >
          <div className="grid gap-4 p-4 lg:grid-cols-2">
            <TimeSeriesChart
              data={savings.points.map((p) => ({
                label: bucketLabel(p.bucket, bucket, timeZone),
                saved: Number(p.savedCost),
                spent: Number(p.cost),
              }))}
              series={[
                { key: "spent", name: "Spent" },
                { key: "saved", name: "Saved by the cache", color: "#10b981" },
              ]}
              kind="bar"
              stacked={false}
              ariaLabel="Cache savings over time"
              height={220}
            />
            <Table data-testid="savings-table">
              <THead>
                <tr>
                  <TH>{bucket}</TH>
                  <TH className="text-right">Hits</TH>
                  <TH className="text-right">Hit rate</TH>
                  <TH className="text-right">Saved</TH>
                </tr>
              </THead>
              <TBody>
                {savings.points.map((p) => (
                  <TR key={new Date(p.bucket).toISOString()}>
                    <TD className="tabular-nums">{bucketLabel(p.bucket, bucket, timeZone)}</TD>
                    <TD className="text-right tabular-nums">{formatCount(p.cacheHits)}</TD>
                    <TD className="text-right tabular-nums">{(p.hitRate * 100).toFixed(1)}%</TD>
                    <TD className="text-right tabular-nums">{formatMoney(p.savedCost)}</TD>
                  </TR>
                ))}
                {savings.points.length === 0 ? (
                  <TR>
                    <TD colSpan={4} className="text-center text-zinc-500">
                      No usage in this range.
                    </TD>
                  </TR>
                ) : null}
              </TBody>
            </Table>
          </div>
        </Section>

        <Section
          title="Budgets: burn-down and month-end forecast"
          description="Current period of each budget; the forecast extends the period's run rate so far to its end."
          actions={<CsvLink view="budgets" params={params} />}
        >
          {budgets.length === 0 ? (
            <CardContent className="text-sm text-zinc-500">No budgets are configured.</CardContent>
          ) : (
            <>
              <Table data-testid="budgets-table">
                <THead>
                  <tr>
                    <TH>Budget</TH>
                    <TH>Scope</TH>
                    <TH className="text-right">Limit</TH>
                    <TH className="text-right">Used</TH>
                    <TH className="text-right">Remaining</TH>
                    <TH className="text-right">Forecast</TH>
                    <TH>Health</TH>
                  </tr>
                </THead>
                <TBody>
                  {budgets.map((b) => (
                    <TR key={b.budgetId}>
                      <TD>
                        <div className="font-medium text-zinc-900">{b.name}</div>
                        <div className="text-xs text-zinc-500">
                          {b.period.toLowerCase()} · {b.timezone}
                        </div>
                      </TD>
                      <TD className="text-xs">
                        {b.scope.toLowerCase()}
                        {b.scopeId ? <div className="font-mono text-zinc-500">{b.scopeId}</div> : null}
                      </TD>
                      <TD className="text-right tabular-nums">{amount(b, b.limit)}</TD>
                      <TD className="text-right tabular-nums">{amount(b, b.used)}</TD>
                      <TD className="text-right tabular-nums">{amount(b, b.remaining)}</TD>
                      <TD className="text-right tabular-nums">{b.forecast ? amount(b, b.forecast) : "—"}</TD>
                      <TD>
                        <Badge tone={b.health === "ok" ? "success" : b.health === "at-risk" ? "warning" : "danger"}>
                          {b.health}
                        </Badge>
                        {b.projectedExhaustedAt ? (
                          <div className="text-xs text-zinc-500">
                            runs out {b.projectedExhaustedAt.toISOString().slice(0, 10)}
                          </div>
                        ) : null}
                      </TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
              <div className="grid gap-4 border-t border-zinc-100 p-4 md:grid-cols-2 xl:grid-cols-3">
                {burnDowns.map((bd) => {
                  if (!bd || bd.points.length === 0 || !bd.status.periodEnd) return null;
                  const data: Array<{ label: string; actual?: number | null; forecast?: number | null }> = bd.points.map((p) => ({
                    label: bucketLabel(p.bucket, bd.bucket === "hour" ? "hour" : "day", bd.status.timezone),
                    actual: Number(p.cumulative),
                  }));
                  const last = data.at(-1);
                  if (last && bd.status.forecast) {
                    last.forecast = last.actual ?? null;
                    data.push({
                      label: bucketLabel(bd.status.periodEnd, "day", bd.status.timezone),
                      forecast: Number(bd.status.forecast),
                    });
                  }
                  return (
                    <div key={bd.status.budgetId}>
                      <div className="mb-1 text-xs font-medium text-zinc-700">{bd.status.name}</div>
                      <BurnDownChart
                        data={data}
                        limit={Number(bd.status.limit)}
                        unit={bd.status.metric === "TOKENS" ? "tokens" : "money"}
                        currency={bd.status.currency}
                        ariaLabel={`Burn-down of ${bd.status.name}`}
                      />
                    </div>
                  );
                })}
              </div>
            </>
          )}
        </Section>

        <Section
          title="Raw usage events"
          description="Every request in the range and filter, one row each (large: streamed)."
          actions={<CsvLink view="events" params={params} />}
        >
          <CardContent className="text-sm text-zinc-500">
            The dashboard totals above equal the sum over these events exactly ({formatDecimal(totals.cost, 12)} USD).
          </CardContent>
        </Section>
      </div>
    </>
  );
}

function amount(b: BudgetStatus, v: string): string {
  return b.metric === "TOKENS" ? formatCount(v.split(".")[0] ?? v) : formatMoney(v, b.currency);
}
