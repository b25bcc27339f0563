import { getApplicationForOwnerOrThrow, isPortalError, listCatalogForGroups } from "@sluice/db";
import { Badge, PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireRole } from "@/lib/session";
import { KeysPanel } from "./keys-panel";

export const metadata: Metadata = { title: "Application" };
export const dynamic = "force-dynamic";

export default async function ApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireRole("DEVELOPER", "ADMIN");
  const { id } = await params;
  // the owner is part of the lookup: another developer's application is "not found", never shown
  const app = await getApplicationForOwnerOrThrow(user.id, id).catch((err) => {
    if (isPortalError(err) && err.code === "not_found") notFound();
    throw err;
  });
  const catalog = await listCatalogForGroups(
    app.groups.map((g) => g.id),
    { teamId: app.teamId, consumerIds: [app.id] },
  );
  return (
    <>
      <div className="mb-2 text-sm">
        <Link href="/portal/applications" className="text-zinc-500 hover:text-zinc-800">
          ← Applications
        </Link>
      </div>
      <PageHeader
        title={app.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span>Team {app.teamName ?? "none"}</span>
            <span>·</span>
            <span>Groups {app.groups.map((g) => g.name).join(", ") || "none"}</span>
            {app.disabled ? <Badge tone="danger">disabled by an administrator</Badge> : null}
          </span>
        }
      />
      <KeysPanel
        application={{ id: app.id, name: app.name, disabled: app.disabled }}
        keys={app.keys.map((k) => ({
          ...k,
          expiresAt: k.expiresAt?.toISOString() ?? null,
          lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
          revokedAt: k.revokedAt?.toISOString() ?? null,
          createdAt: k.createdAt.toISOString(),
          budgets: k.budgets.map((b) => ({ ...b, periodStart: b.periodStart?.toISOString() ?? null })),
        }))}
        budgets={app.budgets.map((b) => ({ ...b, periodStart: b.periodStart?.toISOString() ?? null }))}
        routes={catalog.map((r) => ({ id: r.id, name: r.name, type: r.type, models: r.models.map((m) => m.name) }))}
        canWrite={user.roles.includes("DEVELOPER")}
      />
    </>
  );
}
