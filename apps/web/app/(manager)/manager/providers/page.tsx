import { getProviderOrThrow, listProviders, type ProviderView } from "@sluice/db";
import { PROVIDER_KINDS } from "@sluice/db/schemas";
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
import { deleteProviderAction, setProviderEnabledAction } from "./actions";
import { ProviderForm } from "./provider-form";
import { TestConnectionButton } from "./test-connection";

export const metadata: Metadata = { title: "Providers" };
export const dynamic = "force-dynamic";

const BASE = "/manager/providers";

function credentialLabel(p: ProviderView) {
  if (p.hasCredentials) return <Badge tone="success">stored, encrypted</Badge>;
  if (p.credentialsRef) return <Badge tone="info">reference: {Object.keys(p.credentialsRef as object)[0]}</Badge>;
  return <Badge tone="neutral">none</Badge>;
}

export default async function ProvidersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "name" });
  const kind = param(sp, "kind");
  const editId = param(sp, "edit");
  const [page, editing] = await Promise.all([
    listProviders({ ...s, kind }),
    editId ? getProviderOrThrow(editId).catch(() => null) : Promise.resolve(null),
  ]);
  const links = listLinks(BASE, sp);
  const showForm = param(sp, "new") === "1" || editing;

  return (
    <>
      <PageHeader
        title="Providers"
        description="Upstream LLM APIs and their credentials. Credentials are write-only: encrypted at rest, never shown again."
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              Add provider
            </Link>
          )
        }
      />
      <DoneNotice done={param(sp, "done")} what="Provider" />
      {showForm ? (
        <div className="mb-6">
          <ProviderForm key={editing?.id ?? "new"} provider={editing ?? null} />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Name or URL" hidden={{ sort: s.sort, order: s.order }}>
          <select
            name="kind"
            defaultValue={kind ?? ""}
            aria-label="Kind"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">All kinds</option>
            {PROVIDER_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </ListToolbar>
        {page.total === 0 ? (
          <EmptyState
            className="m-5"
            title="No providers"
            description="Add the first upstream: OpenAI, Anthropic, a local Ollama or any OpenAI-compatible server."
          />
        ) : (
          <Table data-testid="providers-table">
            <THead>
              <tr>
                <SortHeader label="Name" column="name" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <SortHeader label="Kind" column="kind" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH>Endpoint</TH>
                <TH>Credentials</TH>
                <TH>Status</TH>
                <SortHeader label="Updated" column="updatedAt" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((p) => (
                <TR key={p.id}>
                  <TD>
                    <div className="font-medium text-zinc-900">{p.name}</div>
                    <div className="font-mono text-xs text-zinc-400">{p.id}</div>
                  </TD>
                  <TD>{p.kind}</TD>
                  <TD className="max-w-56 truncate text-xs">
                    {p.baseUrl ?? <span className="text-zinc-400">provider default</span>}
                  </TD>
                  <TD>
                    {credentialLabel(p)}
                    {p.previousCredentialsExpiresAt ? (
                      <div className="mt-1 text-xs text-zinc-500">
                        old credential valid until {formatDate(p.previousCredentialsExpiresAt)}
                      </div>
                    ) : null}
                  </TD>
                  <TD>{p.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="warning">disabled</Badge>}</TD>
                  <TD className="text-xs">{formatDate(p.updatedAt)}</TD>
                  <TD className="text-right">
                    <div className="flex justify-end gap-2">
                      <TestConnectionButton providerId={p.id} name={p.name} />
                      <Link href={hrefWith(BASE, sp, { edit: p.id })} className={buttonClasses("secondary", "sm")}>
                        Edit
                      </Link>
                      <ActionButton
                        action={setProviderEnabledAction.bind(null, p.id, !p.enabled)}
                        label={p.enabled ? "Disable" : "Enable"}
                      />
                      <ActionButton
                        action={deleteProviderAction.bind(null, p.id)}
                        label="Delete"
                        variant="ghost"
                        confirm={`Delete provider ${p.name}? Routes must not use it any more.`}
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
