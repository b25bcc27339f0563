import { listApplicationsForOwner } from "@sluice/db";
import { Badge, Card, EmptyState, PageHeader, Table, TBody, TD, TH, THead, TR } from "@sluice/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { requireRole } from "@/lib/session";
import { CreateApplicationForm } from "./create-application-form";

export const metadata: Metadata = { title: "Applications" };
export const dynamic = "force-dynamic";

export default async function ApplicationsPage() {
  const user = await requireRole("DEVELOPER", "ADMIN");
  const apps = await listApplicationsForOwner(user.id);
  const canWrite = user.roles.includes("DEVELOPER");
  return (
    <>
      <PageHeader
        title="Applications & keys"
        description="Each application is a consumer of the gateway; its keys carry its identity."
      />
      <div className="space-y-6">
        {canWrite ? <CreateApplicationForm /> : null}
        {apps.length === 0 ? (
          <EmptyState title="No applications yet" description="Create an application, then issue a key for it." />
        ) : (
          <Card>
            <Table data-testid="applications-table">
              <THead>
                <tr>
                  <TH>Application</TH>
                  <TH>Team</TH>
                  <TH>Groups</TH>
                  <TH className="text-right">Active keys</TH>
                  <TH>Last used</TH>
                </tr>
              </THead>
              <TBody>
                {apps.map((a) => {
                  const active = a.keys.filter((k) => k.status === "ACTIVE");
                  const lastUsed = a.keys.map((k) => k.lastUsedAt?.getTime() ?? 0).reduce((x, y) => Math.max(x, y), 0);
                  return (
                    <TR key={a.id}>
                      <TD>
                        <Link href={`/portal/applications/${a.id}`} className="font-medium text-zinc-900 hover:underline">
                          {a.name}
                        </Link>
                        {a.disabled ? (
                          <Badge tone="danger" className="ml-2">
                            disabled
                          </Badge>
                        ) : null}
                        {a.description ? <div className="text-xs text-zinc-500">{a.description}</div> : null}
                      </TD>
                      <TD>{a.teamName ?? "—"}</TD>
                      <TD className="text-xs">{a.groups.map((g) => g.name).join(", ") || "—"}</TD>
                      <TD className="text-right tabular-nums">{active.length}</TD>
                      <TD className="text-xs text-zinc-500">
                        {lastUsed ? new Date(lastUsed).toISOString().replace("T", " ").slice(0, 16) : "never"}
                      </TD>
                    </TR>
                  );
                })}
              </TBody>
            </Table>
          </Card>
        )}
      </div>
    </>
  );
}
