import { listApiKeys, listConsumerOptions, listRouteOptions } from "@sluice/db";
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
import { formatDate } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { revokeApiKeyAction } from "./actions";
import { IssueKeyForm, RotateKeyButton } from "./key-forms";

export const metadata: Metadata = { title: "API keys" };
export const dynamic = "force-dynamic";

const BASE = "/manager/keys";

export default async function KeysPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "createdAt", order: "desc" });
  const consumerId = param(sp, "consumerId");
  const statusParam = param(sp, "status");
  const status = statusParam === "ACTIVE" || statusParam === "REVOKED" ? statusParam : undefined;
  const [page, consumers, routes] = await Promise.all([
    listApiKeys({ ...s, consumerId, status }),
    listConsumerOptions(),
    listRouteOptions(),
  ]);
  const showForm = param(sp, "new") === "1";
  const links = listLinks(BASE, sp);
  const sort = s.sort ?? "createdAt";
  const now = new Date();
  return (
    <>
      <PageHeader
        title="API keys"
        description="Consumer keys (sk-sluice-…). Only a hash is stored: a key is shown once when issued or rotated."
        actions={
          showForm ? null : (
            <Link href={hrefWith(BASE, sp, { new: 1 })} className={buttonClasses("primary", "sm")}>
              Issue key
            </Link>
          )
        }
      />
      {showForm ? (
        <div className="mb-6">
          {consumers.length === 0 ? (
            <EmptyState title="No consumers yet" description="Create a consumer first; keys belong to a consumer." />
          ) : (
            <IssueKeyForm consumers={consumers} routes={routes} consumerId={consumerId} />
          )}
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Name, key start or consumer" hidden={{ sort: s.sort, order: s.order }}>
          <select
            name="consumerId"
            defaultValue={consumerId ?? ""}
            aria-label="Consumer"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">All consumers</option>
            {consumers.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <select
            name="status"
            defaultValue={status ?? ""}
            aria-label="Status"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">Any status</option>
            <option value="ACTIVE">active</option>
            <option value="REVOKED">revoked</option>
          </select>
        </ListToolbar>
        {page.total === 0 ? (
          <EmptyState className="m-5" title="No keys" description="Issue a key for a consumer; it is shown once." />
        ) : (
          <Table data-testid="keys-table">
            <THead>
              <tr>
                <SortHeader label="Name" column="name" sort={sort} order={s.order} hrefFor={links.sort} />
                <TH>Consumer</TH>
                <TH>Key</TH>
                <SortHeader label="Status" column="status" sort={sort} order={s.order} hrefFor={links.sort} />
                <SortHeader label="Last used" column="lastUsedAt" sort={sort} order={s.order} hrefFor={links.sort} />
                <SortHeader label="Expires" column="expiresAt" sort={sort} order={s.order} hrefFor={links.sort} />
                <SortHeader label="Created" column="createdAt" sort={sort} order={s.order} hrefFor={links.sort} />
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((k) => {
                const expired = k.expiresAt !== null && k.expiresAt <= now;
                return (
                  <TR key={k.id}>
                    <TD className="font-medium text-zinc-900">{k.name}</TD>
                    <TD className="text-xs">{k.consumerName}</TD>
                    <TD className="font-mono text-xs">{k.start}…</TD>
                    <TD>
                      {k.status === "REVOKED" ? (
                        <Badge tone="danger">revoked</Badge>
                      ) : expired ? (
                        <Badge tone="warning">expired</Badge>
                      ) : (
                        <Badge tone="success">active</Badge>
                      )}
                    </TD>
                    <TD className="text-xs">{formatDate(k.lastUsedAt)}</TD>
                    <TD className="text-xs">{formatDate(k.expiresAt)}</TD>
                    <TD className="text-xs">{formatDate(k.createdAt)}</TD>
                    <TD className="text-right">
                      {k.status === "ACTIVE" && !expired ? (
                        <div className="flex justify-end gap-2">
                          <RotateKeyButton id={k.id} />
                          <ActionButton
                            action={revokeApiKeyAction.bind(null, k.id)}
                            label="Revoke"
                            variant="danger"
                            confirm={`Revoke key ${k.start}…? Requests with it are refused at once.`}
                          />
                        </div>
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
