import { listRoutes } from "@sluice/db";
import { ROUTE_TYPES } from "@sluice/db/schemas";
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
import { DoneNotice } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { deleteRouteAction, setRouteEnabledAction } from "./actions";

export const metadata: Metadata = { title: "Routes" };
export const dynamic = "force-dynamic";

const BASE = "/manager/routes";

export default async function RoutesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "name" });
  const type = param(sp, "type");
  const page = await listRoutes({ ...s, type });
  const links = listLinks(BASE, sp);
  const sort = s.sort ?? "name";
  return (
    <>
      <PageHeader
        title="Routes"
        description="A route is a path prefix that clients call, the provider models (targets) it balances across, and who may call it."
        actions={
          <Link href={`${BASE}/new`} className={buttonClasses("primary", "sm")}>
            Create route
          </Link>
        }
      />
      <DoneNotice done={param(sp, "done")} what="Route" />
      <Card>
        <ListToolbar q={s.q} placeholder="Name or exact path" hidden={{ sort: s.sort, order: s.order }}>
          <select
            name="type"
            defaultValue={type ?? ""}
            aria-label="Type"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">All types</option>
            {ROUTE_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </ListToolbar>
        {page.total === 0 ? (
          <EmptyState className="m-5" title="No routes" description="Create a route to expose provider models to consumers." />
        ) : (
          <Table data-testid="routes-table">
            <THead>
              <tr>
                <SortHeader label="Name" column="name" sort={sort} order={s.order} hrefFor={links.sort} />
                <TH>Paths</TH>
                <SortHeader label="Type" column="type" sort={sort} order={s.order} hrefFor={links.sort} />
                <TH>Targets</TH>
                <TH>Balancer</TH>
                <TH>Allowed groups</TH>
                <TH>Status</TH>
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((r) => (
                <TR key={r.id}>
                  <TD>
                    <Link href={`${BASE}/${r.id}`} className="font-medium text-zinc-900 hover:underline">
                      {r.name}
                    </Link>
                    <div className="font-mono text-xs text-zinc-400">{r.id}</div>
                  </TD>
                  <TD className="font-mono text-xs">{r.paths.join(", ")}</TD>
                  <TD>{r.type}</TD>
                  <TD className="text-xs">
                    {r.targets.length === 0 ? (
                      <span className="text-amber-700">none</span>
                    ) : (
                      r.targets.map((t) => (
                        <div key={t.id}>
                          {t.providerName} · {t.alias ? `${t.alias} → ` : ""}
                          {t.model} <span className="text-zinc-400">w{t.weight}</span>
                        </div>
                      ))
                    )}
                  </TD>
                  <TD className="text-xs">{r.balancer.algorithm}</TD>
                  <TD className="text-xs">
                    {r.allowedGroups.length ? r.allowedGroups.map((g) => g.name).join(", ") : "any consumer"}
                  </TD>
                  <TD>{r.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="warning">disabled</Badge>}</TD>
                  <TD className="text-right">
                    <div className="flex justify-end gap-2">
                      <Link href={`${BASE}/${r.id}`} className={buttonClasses("secondary", "sm")}>
                        Edit
                      </Link>
                      <ActionButton
                        action={setRouteEnabledAction.bind(null, r.id, !r.enabled)}
                        label={r.enabled ? "Disable" : "Enable"}
                      />
                      <ActionButton
                        action={deleteRouteAction.bind(null, r.id)}
                        label="Delete"
                        variant="ghost"
                        confirm={`Delete route ${r.name}? Clients calling ${r.paths.join(", ")} will get 404.`}
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
