import { getConsumerOrThrow, listConsumers, listGroupOptions, listTeamOptions } from "@sluice/db";
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
import { DoneNotice, formatDate } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { deleteConsumerAction } from "./actions";
import { ConsumerForm } from "./consumer-form";

export const metadata: Metadata = { title: "Consumers" };
export const dynamic = "force-dynamic";

const BASE = "/manager/consumers";

export default async function ConsumersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "name" });
  const teamId = param(sp, "teamId");
  const groupId = param(sp, "groupId");
  const editId = param(sp, "edit");
  const [page, editing, teams, groups] = await Promise.all([
    listConsumers({ ...s, teamId, groupId }),
    editId ? getConsumerOrThrow(editId).catch(() => null) : Promise.resolve(null),
    listTeamOptions(),
    listGroupOptions(),
  ]);
  const showForm = param(sp, "new") === "1" || editing;
  const links = listLinks(BASE, sp);
  const sort = s.sort ?? "name";
  return (
    <>
      <PageHeader
        title="Consumers"
        description="The applications that call the gateway. Group them for route access and policies; issue their keys on the API keys page."
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              Add consumer
            </Link>
          )
        }
      />
      <DoneNotice done={param(sp, "done")} what="Consumer" />
      {showForm ? (
        <div className="mb-6">
          <ConsumerForm key={editing?.id ?? "new"} consumer={editing ?? null} teams={teams} groups={groups} />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Name, description or id" hidden={{ sort: s.sort, order: s.order }}>
          <select
            name="teamId"
            defaultValue={teamId ?? ""}
            aria-label="Team"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">All teams</option>
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          <select
            name="groupId"
            defaultValue={groupId ?? ""}
            aria-label="Group"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">All groups</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </ListToolbar>
        {page.total === 0 ? (
          <EmptyState
            className="m-5"
            title="No consumers"
            description="Create a consumer for each application that calls the gateway."
          />
        ) : (
          <Table data-testid="consumers-table">
            <THead>
              <tr>
                <SortHeader label="Name" column="name" sort={sort} order={s.order} hrefFor={links.sort} />
                <TH>Team</TH>
                <TH>Groups</TH>
                <TH className="text-right">Active keys</TH>
                <TH>Status</TH>
                <SortHeader label="Created" column="createdAt" sort={sort} order={s.order} hrefFor={links.sort} />
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((c) => (
                <TR key={c.id}>
                  <TD>
                    <div className="font-medium text-zinc-900">{c.name}</div>
                    <div className="font-mono text-xs text-zinc-400">{c.id}</div>
                  </TD>
                  <TD className="text-xs">{c.teamName ?? "—"}</TD>
                  <TD className="text-xs">{c.groups.map((g) => g.name).join(", ") || "—"}</TD>
                  <TD className="text-right tabular-nums">
                    <Link className="hover:underline" href={`/manager/keys?consumerId=${c.id}`}>
                      {c.activeKeyCount}
                    </Link>
                  </TD>
                  <TD>{c.disabled ? <Badge tone="warning">disabled</Badge> : <Badge tone="success">active</Badge>}</TD>
                  <TD className="text-xs">{formatDate(c.createdAt)}</TD>
                  <TD className="text-right">
                    <div className="flex justify-end gap-2">
                      <Link href={`/manager/keys?consumerId=${c.id}&new=1`} className={buttonClasses("secondary", "sm")}>
                        Issue key
                      </Link>
                      <Link href={hrefWith(BASE, sp, { edit: c.id })} className={buttonClasses("secondary", "sm")}>
                        Edit
                      </Link>
                      <ActionButton
                        action={deleteConsumerAction.bind(null, c.id)}
                        label="Delete"
                        variant="ghost"
                        confirm={`Delete consumer ${c.name} and revoke all its keys?`}
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
