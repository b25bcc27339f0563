import { getTeamOrThrow, listTeams } from "@sluice/db";
import { buttonClasses, Card, EmptyState, PageHeader, Pagination, SortHeader, Table, TBody, TD, TH, THead, TR } from "@sluice/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { hrefWith, listLinks, listState, param, type SearchParams } from "@/lib/list-params";
import { requireRole } from "@/lib/session";
import { ActionButton } from "../_components/action-button";
import { DoneNotice, formatDate } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { SimpleForm } from "../_components/simple-form";
import { createTeamAction, deleteTeamAction, updateTeamAction } from "../consumers/actions";

export const metadata: Metadata = { title: "Teams" };
export const dynamic = "force-dynamic";

const BASE = "/manager/teams";

export default async function TeamsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "name" });
  const editId = param(sp, "edit");
  const [page, editing] = await Promise.all([listTeams(s), editId ? getTeamOrThrow(editId).catch(() => null) : null]);
  const showForm = param(sp, "new") === "1" || editing;
  const links = listLinks(BASE, sp);
  return (
    <>
      <PageHeader
        title="Teams"
        description="Teams own consumers and users; budgets and policies can apply to a whole team."
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              Add team
            </Link>
          )
        }
      />
      <DoneNotice done={param(sp, "done")} what="Team" />
      {showForm ? (
        <div className="mb-6">
          <SimpleForm
            key={editing?.id ?? "new"}
            title={editing ? `Edit team ${editing.name}` : "Add a team"}
            fields={[
              { name: "name", label: "Name" },
              { name: "slug", label: "Slug", hint: "lower-case letters, digits and dashes" },
              { name: "description", label: "Description" },
            ]}
            initial={{ name: editing?.name ?? "", slug: editing?.slug ?? "", description: editing?.description ?? "" }}
            schema="team"
            action={editing ? updateTeamAction.bind(null, editing.id) : createTeamAction}
            doneHref={`${BASE}?done=${editing ? "updated" : "created"}`}
            submitLabel={editing ? "Save team" : "Create team"}
          />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Name or description" hidden={{ sort: s.sort, order: s.order }} />
        {page.total === 0 ? (
          <EmptyState
            className="m-5"
            title="No teams"
            description="Create teams to group consumers and users for budgets and reports."
          />
        ) : (
          <Table data-testid="teams-table">
            <THead>
              <tr>
                <SortHeader label="Name" column="name" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH>Description</TH>
                <TH>Slug</TH>
                <TH className="text-right">Consumers</TH>
                <TH className="text-right">Users</TH>
                <SortHeader label="Created" column="createdAt" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((g) => (
                <TR key={g.id}>
                  <TD className="font-medium text-zinc-900">{g.name}</TD>
                  <TD className="text-xs">{g.description ?? "—"}</TD>
                  <TD className="font-mono text-xs">{g.slug}</TD>
                  <TD className="text-right tabular-nums">
                    <Link className="hover:underline" href={`/manager/consumers?teamId=${g.id}`}>
                      {g.consumerCount}
                    </Link>
                  </TD>
                  <TD className="text-right tabular-nums">{g.userCount}</TD>
                  <TD className="text-xs">{formatDate(g.createdAt)}</TD>
                  <TD className="text-right">
                    <div className="flex justify-end gap-2">
                      <Link href={hrefWith(BASE, sp, { edit: g.id })} className={buttonClasses("secondary", "sm")}>
                        Edit
                      </Link>
                      <ActionButton
                        action={deleteTeamAction.bind(null, g.id)}
                        label="Delete"
                        variant="ghost"
                        confirm={`Delete team ${g.name}?`}
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
