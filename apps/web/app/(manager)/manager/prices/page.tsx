import { listPrices } from "@sluice/db";
import { PROVIDER_KINDS } from "@sluice/db/schemas";
import { Badge, buttonClasses, Card, PageHeader, Pagination, SortHeader, Table, TBody, TD, TH, THead, TR } from "@sluice/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { listLinks, listState, param, type SearchParams } from "@/lib/list-params";
import { requireRole } from "@/lib/session";
import { ActionButton } from "../_components/action-button";
import { formatDate } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { deleteScheduledPriceAction } from "./actions";
import { PriceForm } from "./price-form";

export const metadata: Metadata = { title: "Prices" };
export const dynamic = "force-dynamic";

const BASE = "/manager/prices";

export default async function PricesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "providerKind", pageSize: 50 });
  const providerKind = param(sp, "providerKind");
  const history = param(sp, "history") === "1";
  const now = new Date();
  const page = await listPrices({ ...s, providerKind, currentOnly: !history }, undefined, now);
  const links = listLinks(BASE, sp);
  const sort = s.sort ?? "providerKind";
  const showForm = param(sp, "new") === "1";
  return (
    <>
      <PageHeader
        title="Prices"
        description="Per 1M tokens, per provider kind and model, with effective dates. Changes are new rows: history is never rewritten."
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              Add price
            </Link>
          )
        }
      />
      {showForm ? (
        <div className="mb-6">
          <PriceForm />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Model" hidden={{ sort: s.sort, order: s.order }}>
          <select
            name="providerKind"
            defaultValue={providerKind ?? ""}
            aria-label="Provider kind"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">All kinds</option>
            {PROVIDER_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <label className="inline-flex items-center gap-1.5 text-sm text-zinc-600">
            <input type="checkbox" name="history" value="1" defaultChecked={history} /> include history and scheduled
          </label>
        </ListToolbar>
        <Table data-testid="prices-table">
          <THead>
            <tr>
              <SortHeader label="Kind" column="providerKind" sort={sort} order={s.order} hrefFor={links.sort} />
              <SortHeader label="Model" column="model" sort={sort} order={s.order} hrefFor={links.sort} />
              <SortHeader
                label="Input"
                column="inputPer1M"
                sort={sort}
                order={s.order}
                hrefFor={links.sort}
                className="text-right"
              />
              <SortHeader
                label="Output"
                column="outputPer1M"
                sort={sort}
                order={s.order}
                hrefFor={links.sort}
                className="text-right"
              />
              <TH className="text-right">Cached in</TH>
              <TH className="text-right">Reasoning</TH>
              <SortHeader label="Effective from" column="effectiveFrom" sort={sort} order={s.order} hrefFor={links.sort} />
              <TH />
            </tr>
          </THead>
          <TBody>
            {page.items.map((p) => (
              <TR key={p.id}>
                <TD className="text-xs">{p.providerKind}</TD>
                <TD className="font-medium text-zinc-900">{p.model}</TD>
                <TD className="text-right tabular-nums">{p.inputPer1M}</TD>
                <TD className="text-right tabular-nums">{p.outputPer1M}</TD>
                <TD className="text-right tabular-nums">{p.cachedInputPer1M ?? "—"}</TD>
                <TD className="text-right tabular-nums">{p.reasoningPer1M ?? "—"}</TD>
                <TD className="text-xs">
                  {formatDate(p.effectiveFrom)}{" "}
                  {p.current ? (
                    <Badge tone="success">current</Badge>
                  ) : p.effectiveFrom > now ? (
                    <Badge tone="info">scheduled</Badge>
                  ) : (
                    <Badge>past</Badge>
                  )}
                </TD>
                <TD className="text-right">
                  {p.effectiveFrom > now ? (
                    <ActionButton
                      action={deleteScheduledPriceAction.bind(null, p.id)}
                      label="Withdraw"
                      variant="ghost"
                      confirm="Withdraw this scheduled price?"
                    />
                  ) : null}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
        <Pagination page={page.page} pageSize={page.pageSize} total={page.total} hrefFor={links.page} />
      </Card>
    </>
  );
}
