import { getGroupOrThrow, listGroups } from "@sluice/db";
import { buttonClasses, Card, EmptyState, PageHeader, Pagination, SortHeader, Table, TBody, TD, TH, THead, TR } from "@sluice/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { hrefWith, listLinks, listState, param, type SearchParams } from "@/lib/list-params";
import { requireRole } from "@/lib/session";
import { ActionButton } from "../_components/action-button";
import { DoneNotice, formatDate } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { SimpleForm } from "../_components/simple-form";
import { createGroupAction, deleteGroupAction, updateGroupAction } from "../consumers/actions";

export const metadata: Metadata = { title: "Groups" };
export const dynamic = "force-dynamic";

const BASE = "/manager/groups";

export default async function GroupsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "name" });
  const editId = param(sp, "edit");
  const [page, editing] = await Promise.all([listGroups(s), editId ? getGroupOrThrow(editId).catch(() => null) : null]);
  const showForm = param(sp, "new") === "1" || editing;
  const links = listLinks(BASE, sp);
  return (
    <>
      <PageHeader
        title="Consumer groups"
        description="Groups decide which routes a consumer may call and carry shared policies (e.g. premium, internal, trial)."
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              Add group
            </Link>
          )
        }
      />
      <DoneNotice done={param(sp, "done")} what="Group" />
      {showForm ? (
        <div className="mb-6">
          <SimpleForm
            key={editing?.id ?? "new"}
            title={editing ? `Edit group ${editing.name}` : "Add a group"}
            fields={[
              { name: "name", label: "Name" },
              { name: "description", label: "Description" },
            ]}
            initial={{ name: editing?.name ?? "", description: editing?.description ?? "" }}
            schema="group"
            action={editing ? updateGroupAction.bind(null, editing.id) : createGroupAction}
            doneHref={`${BASE}?done=${editing ? "updated" : "created"}`}
            submitLabel={editing ? "Save group" : "Create group"}
          />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Name or description" hidden={{ sort: s.sort, order: s.order }} />
        {page.total === 0 ? (
          <EmptyState
            className="m-5"
            title="No groups"
            description="Routes without allowed groups are open to every consumer with a key."
          />
        ) : (
          <Table data-testid="groups-table">
            <THead>
              <tr>
                <SortHeader label="Name" column="name" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH>Description</TH>
                <TH className="text-right">Members</TH>
                <TH className="text-right">Routes</TH>
                <SortHeader label="Created" column="createdAt" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((g) => (
                <TR key={g.id}>
                  <TD className="font-medium text-zinc-900">{g.name}</TD>
                  <TD className="text-xs">{g.description ?? "—"}</TD>
                  <TD className="text-right tabular-nums">
                    <Link className="hover:underline" href={`/manager/consumers?groupId=${g.id}`}>
                      {g.memberCount}
                    </Link>
                  </TD>
                  <TD className="text-right tabular-nums">{g.routeCount}</TD>
                  <TD className="text-xs">{formatDate(g.createdAt)}</TD>
                  <TD className="text-right">
                    <div className="flex justify-end gap-2">
                      <Link href={hrefWith(BASE, sp, { edit: g.id })} className={buttonClasses("secondary", "sm")}>
                        Edit
                      </Link>
                      <ActionButton
                        action={deleteGroupAction.bind(null, g.id)}
                        label="Delete"
                        variant="ghost"
                        confirm={`Delete group ${g.name}?`}
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
