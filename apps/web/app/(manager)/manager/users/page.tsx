import { listInvites, listTeamOptions, listUsers } from "@sluice/db";
import {
  Badge,
  buttonClasses,
  Card,
  CardHeader,
  CardTitle,
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
import { formatDate } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { revokeInviteAction, setUserDisabledAction } from "./actions";
import { InviteForm, RolesEditor } from "./user-forms";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

const BASE = "/manager/users";

export default async function UsersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const me = await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "email" });
  const [page, invites, teams] = await Promise.all([
    listUsers(s),
    listInvites({ pending: true, pageSize: 50 }),
    listTeamOptions(),
  ]);
  const links = listLinks(BASE, sp);
  const sort = s.sort ?? "email";
  const showForm = param(sp, "new") === "1";
  return (
    <>
      <PageHeader
        title="Users"
        description="People who sign in to Sluice: admins, developers (portal) and finance. Invite them and set their roles."
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              Invite user
            </Link>
          )
        }
      />
      {showForm ? (
        <div className="mb-6">
          <InviteForm teams={teams} />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="E-mail or name" hidden={{ sort: s.sort, order: s.order }} />
        <Table data-testid="users-table">
          <THead>
            <tr>
              <SortHeader label="E-mail" column="email" sort={sort} order={s.order} hrefFor={links.sort} />
              <SortHeader label="Name" column="name" sort={sort} order={s.order} hrefFor={links.sort} />
              <TH>Roles</TH>
              <TH>Status</TH>
              <SortHeader label="Last sign-in" column="lastLoginAt" sort={sort} order={s.order} hrefFor={links.sort} />
              <TH className="text-right">Actions</TH>
            </tr>
          </THead>
          <TBody>
            {page.items.map((u) => (
              <TR key={u.id}>
                <TD className="font-medium text-zinc-900">
                  {u.email}
                  {u.id === me.id ? <span className="ml-2 text-xs text-zinc-400">(you)</span> : null}
                </TD>
                <TD className="text-xs">{u.name ?? "—"}</TD>
                <TD>
                  <RolesEditor key={u.roles.join()} id={u.id} roles={u.roles} />
                </TD>
                <TD>{u.disabled ? <Badge tone="warning">disabled</Badge> : <Badge tone="success">active</Badge>}</TD>
                <TD className="text-xs">{formatDate(u.lastLoginAt)}</TD>
                <TD className="text-right">
                  {u.id === me.id ? null : (
                    <ActionButton
                      action={setUserDisabledAction.bind(null, u.id, !u.disabled)}
                      label={u.disabled ? "Enable" : "Disable"}
                      variant={u.disabled ? "secondary" : "danger"}
                      confirm={u.disabled ? undefined : `Disable ${u.email}? They are signed out within a minute.`}
                    />
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
        <Pagination page={page.page} pageSize={page.pageSize} total={page.total} hrefFor={links.page} />
      </Card>
      <Card className="mt-6">
        <CardHeader>
          <CardTitle>Pending invites</CardTitle>
        </CardHeader>
        {invites.total === 0 ? (
          <EmptyState className="m-5" title="No pending invites" />
        ) : (
          <Table>
            <THead>
              <tr>
                <TH>E-mail</TH>
                <TH>Roles</TH>
                <TH>Expires</TH>
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {invites.items.map((i) => (
                <TR key={i.id}>
                  <TD>{i.email}</TD>
                  <TD className="space-x-1">
                    {i.roles.map((r) => (
                      <Badge key={r}>{r}</Badge>
                    ))}
                  </TD>
                  <TD className="text-xs">{formatDate(i.expiresAt)}</TD>
                  <TD className="text-right">
                    <ActionButton action={revokeInviteAction.bind(null, i.id)} label="Revoke" variant="ghost" />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
    </>
  );
}
