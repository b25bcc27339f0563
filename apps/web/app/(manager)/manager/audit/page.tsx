import { listAuditEntityTypes, listAuditLog } from "@sluice/db";
import { Badge, Card, EmptyState, Input, PageHeader, Pagination, Table, TBody, TD, TH, THead, TR } from "@sluice/ui";
import type { Metadata } from "next";
import { diffJson } from "@/lib/json-diff";
import { listLinks, listState, param, type SearchParams } from "@/lib/list-params";
import { requireRole } from "@/lib/session";
import { ListToolbar } from "../_components/list-toolbar";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const BASE = "/manager/audit";

const show = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v));

function dateParam(v: string | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "ts", order: "desc", pageSize: 50 });
  const entityType = param(sp, "entityType");
  const entityId = param(sp, "entityId");
  const action = param(sp, "action");
  const from = param(sp, "from");
  const to = param(sp, "to");
  const [page, types] = await Promise.all([
    listAuditLog({ ...s, entityType, entityId, action, from: dateParam(from), to: dateParam(to) }),
    listAuditEntityTypes(),
  ]);
  const links = listLinks(BASE, sp);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every configuration change: who, when, what, and the before/after. Secrets never appear here."
      />
      <Card>
        <ListToolbar q={s.q} placeholder="Action, actor or entity id" hidden={{ entityId }}>
          <select
            name="entityType"
            defaultValue={entityType ?? ""}
            aria-label="Entity"
            className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
          >
            <option value="">All entities</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <div className="w-48">
            <Input
              name="action"
              defaultValue={action}
              placeholder="action, e.g. route.update"
              aria-label="Action"
              className="h-8"
            />
          </div>
          <div className="w-36">
            <Input name="from" type="date" defaultValue={from} aria-label="From" className="h-8" />
          </div>
          <div className="w-36">
            <Input name="to" type="date" defaultValue={to} aria-label="To" className="h-8" />
          </div>
        </ListToolbar>
        {page.total === 0 ? (
          <EmptyState className="m-5" title="No entries" description="Nothing matches these filters." />
        ) : (
          <Table data-testid="audit-table">
            <THead>
              <tr>
                <TH>Time</TH>
                <TH>Actor</TH>
                <TH>Action</TH>
                <TH>Entity</TH>
                <TH>Changes</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((e) => {
                // timestamps change with every write: noise in a diff
                const diff = diffJson(e.before, e.after).filter((d) => d.path !== "updatedAt" && d.path !== "createdAt");
                return (
                  <TR key={e.id} data-testid="audit-row">
                    <TD className="whitespace-nowrap text-xs tabular-nums">
                      <div>{e.ts.toISOString().slice(0, 10)}</div>
                      <div className="text-zinc-500">{e.ts.toISOString().slice(11, 19)} UTC</div>
                    </TD>
                    <TD className="text-xs">
                      <div>{e.actorLabel ?? e.actorId ?? "—"}</div>
                      <div className="text-zinc-400">
                        {e.actorType.toLowerCase().replace("_", " ")}
                        {e.ip ? ` · ${e.ip}` : ""}
                      </div>
                    </TD>
                    <TD>
                      <Badge
                        tone={
                          e.action.endsWith("delete") || e.action.endsWith("revoke")
                            ? "danger"
                            : e.action.endsWith("create")
                              ? "success"
                              : "info"
                        }
                      >
                        {e.action}
                      </Badge>
                    </TD>
                    <TD className="text-xs">
                      <div>{e.entityType}</div>
                      {e.entityId ? (
                        <a
                          className="font-mono text-zinc-400 hover:underline"
                          href={`${BASE}?entityId=${encodeURIComponent(e.entityId)}`}
                        >
                          {e.entityId}
                        </a>
                      ) : null}
                    </TD>
                    <TD className="min-w-64 text-xs">
                      {diff.length === 0 ? (
                        <span className="text-zinc-400">no field changes</span>
                      ) : (
                        <details>
                          <summary className="cursor-pointer text-zinc-600">
                            {diff.length} field{diff.length === 1 ? "" : "s"}
                          </summary>
                          <div className="mt-2 max-w-md space-y-1.5 font-mono text-[11px]">
                            {diff.slice(0, 60).map((d) => (
                              <div key={d.path} className="break-all">
                                <div className="text-zinc-500">{d.path}</div>
                                <div>
                                  {d.kind === "added" ? null : (
                                    <span className="text-red-700 line-through decoration-red-300">{show(d.before)}</span>
                                  )}
                                  {d.kind === "changed" ? <span className="text-zinc-400"> → </span> : null}
                                  {d.kind === "removed" ? null : <span className="text-emerald-700">{show(d.after)}</span>}
                                </div>
                              </div>
                            ))}
                          </div>
                          {diff.length > 60 ? <p className="mt-1 text-zinc-400">… {diff.length - 60} more</p> : null}
                        </details>
                      )}
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
