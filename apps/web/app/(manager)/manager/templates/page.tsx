import { listPromptTemplates } from "@sluice/db";
import { buttonClasses, Card, EmptyState, PageHeader, Pagination, SortHeader, Table, TBody, TD, TH, THead, TR } from "@sluice/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { listLinks, listState, param, type SearchParams } from "@/lib/list-params";
import { requireRole } from "@/lib/session";
import { ActionButton } from "../_components/action-button";
import { formatDate } from "../_components/errors";
import { ListToolbar } from "../_components/list-toolbar";
import { deleteTemplateAction } from "./actions";
import { TemplateEditor } from "./template-editor";

export const metadata: Metadata = { title: "Prompt templates" };
export const dynamic = "force-dynamic";

const BASE = "/manager/templates";

export default async function TemplatesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const s = listState(sp, { sort: "name" });
  const page = await listPromptTemplates(s);
  const links = listLinks(BASE, sp);
  const showForm = param(sp, "new") === "1";
  return (
    <>
      <PageHeader
        title="Prompt templates"
        description="Versioned prompts with {{variables}}, invoked by name from requests ({template://name})."
        actions={
          showForm ? null : (
            <Link href={`${BASE}?new=1`} className={buttonClasses("primary", "sm")}>
              New template
            </Link>
          )
        }
      />
      {showForm ? (
        <div className="mb-6">
          <TemplateEditor template={null} />
        </div>
      ) : null}
      <Card>
        <ListToolbar q={s.q} placeholder="Name or description" hidden={{ sort: s.sort, order: s.order }} />
        {page.total === 0 ? (
          <EmptyState className="m-5" title="No templates" />
        ) : (
          <Table data-testid="templates-table">
            <THead>
              <tr>
                <SortHeader label="Name" column="name" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH>Current version</TH>
                <TH>Variables</TH>
                <SortHeader label="Updated" column="updatedAt" sort={s.sort ?? "name"} order={s.order} hrefFor={links.sort} />
                <TH className="text-right">Actions</TH>
              </tr>
            </THead>
            <TBody>
              {page.items.map((t) => (
                <TR key={t.id}>
                  <TD>
                    <Link className="font-medium text-zinc-900 hover:underline" href={`${BASE}/${t.id}`}>
                      {t.name}
                    </Link>
                    {t.description ? <div className="text-xs text-zinc-500">{t.description}</div> : null}
                  </TD>
                  <TD className="text-xs">
                    v{t.currentVersion} <span className="text-zinc-400">of {t.versionCount}</span>
                  </TD>
                  <TD className="font-mono text-xs">{t.current?.variables.join(", ") || "—"}</TD>
                  <TD className="text-xs">{formatDate(t.updatedAt)}</TD>
                  <TD className="text-right">
                    <div className="flex justify-end gap-2">
                      <Link className={buttonClasses("secondary", "sm")} href={`${BASE}/${t.id}`}>
                        Open
                      </Link>
                      <ActionButton
                        action={deleteTemplateAction.bind(null, t.id)}
                        label="Delete"
                        variant="ghost"
                        confirm={`Delete template ${t.name} and its history?`}
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
