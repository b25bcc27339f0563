import { getChargebackReport, listFinanceFilterOptions } from "@sluice/db";
import {
  buttonClasses,
  Card,
  CardDescription,
  CardHeader,
  CardTitle,
  formatCount,
  formatMoney,
  PageHeader,
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
import Link from "next/link";
import { requireRole } from "@/lib/session";
import { FilterBar } from "../filter-bar";
import { financeQuery, parseFinanceParams } from "../params";

export const metadata: Metadata = { title: "Chargeback" };
export const dynamic = "force-dynamic";

export default async function ChargebackPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireRole("FINANCE", "ADMIN");
  const sp = await searchParams;
  // a chargeback report covers whole months: year to date unless the URL says otherwise
  const params = parseFinanceParams(sp.range || sp.from ? sp : { ...sp, range: "ytd" });
  const [rows, options] = await Promise.all([
    getChargebackReport({ from: params.range.from, to: params.range.to, timeZone: params.timeZone }),
    listFinanceFilterOptions(),
  ]);
  const months = [...new Set(rows.map((r) => r.monthLabel))].sort();
  const teams = new Map<string, string>();
  for (const r of rows) teams.set(r.teamId, r.teamName ?? (r.teamId === "" ? "(no team)" : r.teamId));
  const cell = new Map(rows.map((r) => [`${r.teamId}|${r.monthLabel}`, r]));
  const teamKey = (id: string) => `t_${id || "none"}`;
  const chartData = months.map((m) => {
    const d: { label: string } & Record<string, number | string> = { label: m };
    for (const id of teams.keys()) d[teamKey(id)] = Number(cell.get(`${id}|${m}`)?.cost ?? 0);
    return d;
  });
  const csvHref = `/api/finance/export?${financeQuery(params, { view: "chargeback" })}`;

  return (
    <>
      <div className="mb-2 text-sm">
        <Link href="/finance" className="text-zinc-500 hover:text-zinc-800">
          ← Finance
        </Link>
      </div>
      <PageHeader
        title="Chargeback"
        description={`AI spend per team per calendar month (${params.timeZone}), ${params.range.fromDay} – ${params.range.toDay}.`}
        actions={
          <a href={csvHref} className={buttonClasses("secondary", "sm")} data-testid="csv-chargeback" download>
            Export CSV
          </a>
        }
      />
      <FilterBar params={params} options={options} action="/finance/chargeback" showGrouping={false} showDimensions={false} />
      <div className="space-y-6">
        <Card>
          <CardHeader>
            <CardTitle>Spend per team and month</CardTitle>
          </CardHeader>
          <div className="p-4">
            <TimeSeriesChart
              data={chartData}
              series={[...teams].map(([id, name]) => ({ key: teamKey(id), name }))}
              ariaLabel="Spend per team per month"
            />
          </div>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Teams × months</CardTitle>
            <CardDescription>Exact amounts; the CSV has the full precision and token counts.</CardDescription>
          </CardHeader>
          <Table data-testid="chargeback-pivot">
            <THead>
              <tr>
                <TH>Team</TH>
                {months.map((m) => (
                  <TH key={m} className="text-right">
                    {m}
                  </TH>
                ))}
                <TH className="text-right">Total</TH>
              </tr>
            </THead>
            <TBody>
              {[...teams].map(([id, name]) => {
                const costs = months.map((m) => cell.get(`${id}|${m}`)?.cost ?? "0");
                return (
                  <TR key={id} data-testid={`chargeback-team-${name}`}>
                    <TD className="font-medium text-zinc-900">{name}</TD>
                    {costs.map((c, i) => (
                      <TD key={months[i]} className="text-right tabular-nums" title={c}>
                        {formatMoney(c)}
                      </TD>
                    ))}
                    <TD className="text-right font-medium tabular-nums">{formatMoney(sumDecimals(costs))}</TD>
                  </TR>
                );
              })}
              {teams.size === 0 ? (
                <TR>
                  <TD colSpan={months.length + 2} className="text-center text-zinc-500">
                    No usage in this range.
                  </TD>
                </TR>
              ) : (
                <TR>
                  <TD className="font-medium">All teams</TD>
                  {months.map((m) => (
                    <TD key={m} className="text-right font-medium tabular-nums">
                      {formatMoney(sumDecimals(rows.filter((r) => r.monthLabel === m).map((r) => r.cost)))}
                    </TD>
                  ))}
                  <TD className="text-right font-semibold tabular-nums">{formatMoney(sumDecimals(rows.map((r) => r.cost)))}</TD>
                </TR>
              )}
            </TBody>
          </Table>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Detail</CardTitle>
          </CardHeader>
          <Table data-testid="chargeback-table">
            <THead>
              <tr>
                <TH>Month</TH>
                <TH>Team</TH>
                <TH className="text-right">Requests</TH>
                <TH className="text-right">Prompt tokens</TH>
                <TH className="text-right">Completion tokens</TH>
                <TH className="text-right">Cache hits</TH>
                <TH className="text-right">Spend</TH>
              </tr>
            </THead>
            <TBody>
              {rows.map((r) => (
                <TR key={`${r.monthLabel}|${r.teamId}`}>
                  <TD className="tabular-nums">{r.monthLabel}</TD>
                  <TD>{teams.get(r.teamId)}</TD>
                  <TD className="text-right tabular-nums">{formatCount(r.requests)}</TD>
                  <TD className="text-right tabular-nums">{formatCount(r.promptTokens)}</TD>
                  <TD className="text-right tabular-nums">{formatCount(r.completionTokens)}</TD>
                  <TD className="text-right tabular-nums">{formatCount(r.cacheHits)}</TD>
                  <TD className="text-right tabular-nums" title={r.cost}>
                    {formatMoney(r.cost)}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </Card>
      </div>
    </>
  );
}
