import { listApiKeys, listBudgets, listConsumerOptions, listRouteOptions, listTeamOptions } from "@sluice/db";
import {
  Badge,
  buttonClasses,
  Card,
  EmptyState,
  PageHeader,
  Pagination,
  SortHeader,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
} from "@sluice/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { listLinks, listState, param, type SearchParams } from "@/lib/list-params";
import { requireRole } from "@/lib/session";
import { ActionButton } from "../_components/action-button";
import { ListToolbar } from "../_components/list-toolbar";
import { deleteBudgetAction, setBudgetEnabledAction } from "../prices/actions";
import { BudgetForm } from "./budget-form";

export const metadata: Metadata = { title: "Budgets" };
export const dynamic = "force-dynamic";

const BASE = "/manager/budgets";

export default async function BudgetsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "name" });
  const showForm = param(sp, "new") === "1";
  const [page, teams, consumers, keys, routes] = await Promise.all([
    listBudgets(s),
    showForm ? listTeamOptions() : [],
    showForm ? listConsumerOptions() : [],
    showForm
      ? listApiKeys({ status: "ACTIVE", pageSize: 200 }).then((p) =>
          p.items.map((k) => ({ id: k.id, name: `${k.consumerName} · ${k.name}` })),
        )
      : [],
    showForm ? listRouteOptions() : [],
  ]);
  const links = listLinks(BASE, sp);
  return (
    <>
      <PageHeader
        title="Budgets"
        description="Money or token budgets per period, enforced atomically across gateway nodes; reject or downgrade when exhausted."
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              Add budget
            </Link>
          )
        }
      />
      {showForm ? (
        <div className="mb-6">
          <BudgetForm options={{ TEAM: teams, CONSUMER: consumers, KEY: keys, ROUTE: routes }} />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Name" hidden={{ sort: s.sort, order: s.order }} />
        {page.total === 0 ? (
          <EmptyState className="m-5" title="No budgets" />
        ) : (
          <Table data-testid="budgets-table">
            <THead>
              <tr>
                <SortHeader label="Name" column="name" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <SortHeader label="Scope" column="scope" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH className="text-right">Limit</TH>
                <SortHeader label="Period" column="period" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH>When exhausted</TH>
                <TH>Status</TH>
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((b) => (
                <TR key={b.id}>
                  <TD className="font-medium text-zinc-900">{b.name}</TD>
                  <TD className="text-xs">
                    {b.scope.toLowerCase()}{" "}
                    <span className="font-mono text-zinc-400">{b.teamId ?? b.consumerId ?? b.apiKeyId ?? b.routeId ?? ""}</span>
                  </TD>
                  <TD className="text-right tabular-nums">
                    {b.limit} {b.metric === "COST" ? b.currency : "tokens"}
                  </TD>
                  <TD className="text-xs">
                    {b.period.toLowerCase()} ({b.timezone})
                  </TD>
                  <TD className="text-xs">{b.action === "REJECT" ? "reject" : `downgrade to ${b.downgradeTargetId}`}</TD>
                  <TD>{b.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="warning">disabled</Badge>}</TD>
                  <TD className="text-right">
                    <div className="flex justify-end gap-2">
                      <ActionButton
                        action={setBudgetEnabledAction.bind(null, b.id, !b.enabled)}
                        label={b.enabled ? "Disable" : "Enable"}
                      />
                      <ActionButton
                        action={deleteBudgetAction.bind(null, b.id)}
                        label="Delete"
                        variant="ghost"
                        confirm={`Delete budget ${b.name}?`}
                      />
                    </div>
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
        <Pagination page={page.page} pageSize={page.pageSize} total={page.total} hrefFor={links.page} />
      </Card>
    </>
  );
}
