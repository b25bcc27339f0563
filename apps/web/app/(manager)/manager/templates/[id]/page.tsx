import { getPromptTemplateOrThrow, isConfigError, listPromptTemplateVersions } from "@sluice/db";
import { Badge, Card, CardHeader, CardTitle, PageHeader, Table, TBody, TD, TH, THead, TR } from "@sluice/ui";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { param, type SearchParams } from "@/lib/list-params";
import { requireRole } from "@/lib/session";
import { ActionButton } from "../../_components/action-button";
import { DoneNotice, formatDate } from "../../_components/errors";
import { setTemplateVersionAction } from "../actions";
import { TemplateEditor } from "../template-editor";

export const metadata: Metadata = { title: "Prompt template" };
export const dynamic = "force-dynamic";

export default async function TemplatePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  await requireRole("ADMIN");
  const { id } = await params;
  const sp = await searchParams;
  const template = await getPromptTemplateOrThrow(id).catch((err) => {
    if (isConfigError(err) && err.code === "not_found") notFound();
    throw err;
  });
  const versions = await listPromptTemplateVersions(id);
  return (
    <>
      <PageHeader
        title={`Template ${template.name}`}
        description={template.description ?? `serving version ${template.currentVersion}`}
      />
      <DoneNotice done={param(sp, "done")} what="Template" />
      <TemplateEditor
        key={template.currentVersion}
        template={{ id: template.id, name: template.name, messages: (template.current?.body.messages ?? []) as never }}
      />
      <Card className="mt-6">
        <CardHeader>
          <CardTitle>Version history</CardTitle>
        </CardHeader>
        <Table data-testid="template-versions">
          <THead>
            <tr>
              <TH>Version</TH>
              <TH>Variables</TH>
              <TH>Body</TH>
              <TH>Created</TH>
              <TH className="text-right">Actions</TH>
            </tr>
          </THead>
          <TBody>
            {versions.map((v) => (
              <TR key={v.id}>
                <TD>
                  v{v.version} {v.version === template.currentVersion ? <Badge tone="success">current</Badge> : null}
                </TD>
                <TD className="font-mono text-xs">{v.variables.join(", ") || "—"}</TD>
                <TD className="max-w-md">
                  <details>
                    <summary className="cursor-pointer text-xs text-zinc-600">{v.body.messages.length} message(s)</summary>
                    <pre className="mt-2 whitespace-pre-wrap text-xs">
                      {v.body.messages.map((m) => `[${m.role}] ${m.content}`).join("\n")}
                    </pre>
                  </details>
                </TD>
                <TD className="text-xs">{formatDate(v.createdAt)}</TD>
                <TD className="text-right">
                  {v.version === template.currentVersion ? null : (
                    <ActionButton action={setTemplateVersionAction.bind(null, id, v.version)} label="Serve this version" />
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      </Card>
    </>
  );
}
