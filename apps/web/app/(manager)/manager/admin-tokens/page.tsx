import { listAdminTokens } from "@sluice/db";
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
import { formatDate } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { revokeAdminTokenAction } from "./actions";
import { AdminTokenForm } from "./token-form";

export const metadata: Metadata = { title: "Admin API tokens" };
export const dynamic = "force-dynamic";

const BASE = "/manager/admin-tokens";

export default async function AdminTokensPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "createdAt", order: "desc" });
  const page = await listAdminTokens(s);
  const links = listLinks(BASE, sp);
  const sort = s.sort ?? "createdAt";
  const showForm = param(sp, "new") === "1";
  return (
    <>
      <PageHeader
        title="Admin API tokens"
        description={
          <>
            Tokens (sat-sluice-…) for the Admin REST API at <code>/api/admin/v1</code> (OpenAPI:{" "}
            <code>/api/admin/v1/openapi.json</code>) and the <code>pnpm sluice config</code> CLI. Hashed at rest, scoped,
            revocable.
          </>
        }
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              Create token
            </Link>
          )
        }
      />
      {showForm ? (
        <div className="mb-6">
          <AdminTokenForm />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Name" hidden={{ sort: s.sort, order: s.order }} />
        {page.total === 0 ? (
          <EmptyState className="m-5" title="No admin tokens" description="Create one to manage Sluice as code." />
        ) : (
          <Table data-testid="admin-tokens-table">
            <THead>
              <tr>
                <SortHeader label="Name" column="name" sort={sort} order={s.order} hrefFor={links.sort} />
                <TH>Token</TH>
                <TH>Scopes</TH>
                <TH>Status</TH>
                <SortHeader label="Last used" column="lastUsedAt" sort={sort} order={s.order} hrefFor={links.sort} />
                <SortHeader label="Created" column="createdAt" sort={sort} order={s.order} hrefFor={links.sort} />
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((t) => {
                const expired = t.expiresAt !== null && t.expiresAt <= new Date();
                return (
                  <TR key={t.id}>
                    <TD className="font-medium text-zinc-900">{t.name}</TD>
                    <TD className="font-mono text-xs">{t.start}…</TD>
                    <TD className="space-x-1">
                      {t.scopes.map((sc) => (
                        <Badge key={sc}>{sc}</Badge>
                      ))}
                    </TD>
                    <TD>
                      {t.status === "REVOKED" ? (
                        <Badge tone="danger">revoked</Badge>
                      ) : expired ? (
                        <Badge tone="warning">expired</Badge>
                      ) : (
                        <Badge tone="success">active</Badge>
                      )}
                    </TD>
                    <TD className="text-xs">{formatDate(t.lastUsedAt)}</TD>
                    <TD className="text-xs">{formatDate(t.createdAt)}</TD>
                    <TD className="text-right">
                      {t.status === "ACTIVE" ? (
                        <ActionButton
                          action={revokeAdminTokenAction.bind(null, t.id)}
                          label="Revoke"
                          variant="danger"
                          confirm={`Revoke token ${t.name}?`}
                        />
                      ) : null}
                    </TD>
                  </TR>
                );
              })}
            </TBody>
          </Table>
        )}
        <Pagination page={page.page} pageSize={page.pageSize} total={page.total} hrefFor={links.page} />
      </Card>
    </>
  );
}
