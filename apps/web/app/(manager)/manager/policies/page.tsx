import {
  getPolicyOrThrow,
  listApiKeys,
  listConsumerOptions,
  listGroupOptions,
  listPolicies,
  listRouteOptions,
  listTeamOptions,
} from "@sluice/db";
import { POLICY_SCOPES, POLICY_TYPES } from "@sluice/db/schemas";
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
import { hrefWith, listLinks, listState, param, type SearchParams } from "@/lib/list-params";
import { requireRole } from "@/lib/session";
import { ActionButton } from "../_components/action-button";
import { DoneNotice } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { deletePolicyAction, movePolicyAction, setPolicyEnabledAction } from "./actions";
import { PolicyForm } from "./policy-form";

export const metadata: Metadata = { title: "Policies" };
export const dynamic = "force-dynamic";

const BASE = "/manager/policies";

function summary(config: Record<string, unknown>): string {
  const text = JSON.stringify(config);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

export default async function PoliciesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "position" });
  const type = param(sp, "type");
  const scope = param(sp, "scope");
  const editId = param(sp, "edit");
  const showForm = param(sp, "new") === "1" || Boolean(editId);
  const [page, editing, routes, groups, consumers, keys, teams] = await Promise.all([
    listPolicies({ ...s, type, scope }),
    editId ? getPolicyOrThrow(editId).catch(() => null) : Promise.resolve(null),
    showForm ? listRouteOptions() : [],
    showForm ? listGroupOptions() : [],
    showForm ? listConsumerOptions() : [],
    showForm
      ? listApiKeys({ status: "ACTIVE", pageSize: 200 }).then((p) =>
          p.items.map((k) => ({ id: k.id, name: `${k.consumerName} · ${k.name} (${k.start}…)` })),
        )
      : [],
    showForm ? listTeamOptions() : [],
  ]);
  const links = listLinks(BASE, sp);
  const sort = s.sort ?? "position";
  return (
    <>
      <PageHeader
        title="Policies"
        description="Rate limits, caches, prompt controls, PII and transformers, applied in order and attached globally or to one route, group, consumer, key or team."
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              Add policy
            </Link>
          )
        }
      />
      <DoneNotice done={param(sp, "done")} what="Policy" />
      {showForm && (editing || !editId) ? (
        <div className="mb-6">
          <PolicyForm
            key={editing?.id ?? "new"}
            policy={editing}
            attachments={{ ROUTE: routes, GROUP: groups, CONSUMER: consumers, KEY: keys, TEAM: teams }}
          />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Name" hidden={{ sort: s.sort, order: s.order }}>
          <select
            name="type"
            defaultValue={type ?? ""}
            aria-label="Type"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">All types</option>
            {POLICY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <select
            name="scope"
            defaultValue={scope ?? ""}
            aria-label="Scope"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">All scopes</option>
            {POLICY_SCOPES.map((t) => (
              <option key={t} value={t}>
                {t.toLowerCase()}
              </option>
            ))}
          </select>
        </ListToolbar>
        {page.total === 0 ? (
          <EmptyState
            className="m-5"
            title="No policies"
            description="Without policies every authenticated request is forwarded as is."
          />
        ) : (
          <Table data-testid="policies-table">
            <THead>
              <tr>
                <SortHeader label="Order" column="position" sort={sort} order={s.order} hrefFor={links.sort} />
                <SortHeader label="Name" column="name" sort={sort} order={s.order} hrefFor={links.sort} />
                <SortHeader label="Type" column="type" sort={sort} order={s.order} hrefFor={links.sort} />
                <SortHeader label="Scope" column="scope" sort={sort} order={s.order} hrefFor={links.sort} />
                <TH>Config</TH>
                <TH>Status</TH>
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((p) => (
                <TR key={p.id}>
                  <TD className="tabular-nums">
                    <div className="flex items-center gap-1">
                      {p.position}
                      <ActionButton
                        action={movePolicyAction.bind(null, p.id, "up")}
                        label="↑"
                        ariaLabel={`Move ${p.name} up`}
                        variant="ghost"
                        success=""
                      />
                      <ActionButton
                        action={movePolicyAction.bind(null, p.id, "down")}
                        label="↓"
                        ariaLabel={`Move ${p.name} down`}
                        variant="ghost"
                        success=""
                      />
                    </div>
                  </TD>
                  <TD className="font-medium text-zinc-900">{p.name}</TD>
                  <TD>
                    <Badge tone="info">{p.type}</Badge>
                  </TD>
                  <TD className="text-xs">
                    {p.scope.toLowerCase()}
                    {p.attachedTo ? <span className="text-zinc-500"> · {p.attachedTo}</span> : null}
                  </TD>
                  <TD className="max-w-64 truncate font-mono text-xs" title={JSON.stringify(p.config)}>
                    {summary(p.config)}
                  </TD>
                  <TD>{p.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="warning">disabled</Badge>}</TD>
                  <TD className="text-right">
                    <div className="flex justify-end gap-2">
                      <Link href={hrefWith(BASE, sp, { edit: p.id })} className={buttonClasses("secondary", "sm")}>
                        Edit
                      </Link>
                      <ActionButton
                        action={setPolicyEnabledAction.bind(null, p.id, !p.enabled)}
                        label={p.enabled ? "Disable" : "Enable"}
                      />
                      <ActionButton
                        action={deletePolicyAction.bind(null, p.id)}
                        label="Delete"
                        variant="ghost"
                        confirm={`Delete policy ${p.name}?`}
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
