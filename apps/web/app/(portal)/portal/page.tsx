import { getDeveloperContext, getPortalUsageTotals, listApplicationsForOwner, listCatalogForDeveloper } from "@sluice/db";
import {
  buttonClasses,
  Card,
  CardContent,
  CardHeader,
  CardTitle,
  formatCount,
  formatMoney,
  PageHeader,
  parseRange,
  Stat,
} from "@sluice/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { requireRole } from "@/lib/session";

export const metadata: Metadata = { title: "Developer portal" };
export const dynamic = "force-dynamic";

export default async function PortalPage() {
  const user = await requireRole("DEVELOPER", "ADMIN");
  const range = parseRange({ range: "mtd" });
  const [ctx, apps, catalog, month] = await Promise.all([
    getDeveloperContext(user.id),
    listApplicationsForOwner(user.id),
    listCatalogForDeveloper(user.id),
    getPortalUsageTotals(user.id, { from: range.from, to: range.to }),
  ]);
  const activeKeys = apps.flatMap((a) => a.keys).filter((k) => k.status === "ACTIVE").length;
  const steps = [
    {
      done: catalog.length > 0,
      title: "See what you may call",
      href: "/portal/catalog",
      detail: `${catalog.length} routes open to you`,
    },
    {
      done: apps.length > 0,
      title: "Create an application",
      href: "/portal/applications",
      detail: "an app that calls the gateway",
    },
    {
      done: activeKeys > 0,
      title: "Issue a key",
      href: apps[0] ? `/portal/applications/${apps[0].id}` : "/portal/applications",
      detail: "shown once; copy it",
    },
    {
      done: month.requests > 0,
      title: "Send a first request",
      href: "/portal/playground",
      detail: "from your code or the playground",
    },
  ];
  return (
    <>
      <PageHeader
        title="Developer portal"
        description={`Signed in as ${user.email}${ctx.teamName ? ` · team ${ctx.teamName}` : ""}`}
        actions={
          <Link href="/portal/applications" className={buttonClasses("primary", "sm")}>
            New application
          </Link>
        }
      />
      <dl className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-4">
        <Stat label="Applications" value={apps.length} />
        <Stat label="Active keys" value={activeKeys} />
        <Stat label="Requests this month" value={formatCount(month.requests)} />
        <Stat label="Cost this month" value={formatMoney(month.cost)} />
      </dl>
      <Card>
        <CardHeader>
          <CardTitle>Getting started</CardTitle>
        </CardHeader>
        <CardContent>
          <ol className="space-y-2 text-sm">
            {steps.map((s, i) => (
              <li key={s.title} className="flex gap-3">
                <span
                  className={`mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full text-xs font-medium ${
                    s.done ? "bg-emerald-100 text-emerald-700" : "bg-zinc-100 text-zinc-600"
                  }`}
                >
                  {s.done ? "✓" : i + 1}
                </span>
                <span>
                  <Link href={s.href} className="font-medium text-zinc-900 hover:underline">
                    {s.title}
                  </Link>
                  <span className="text-zinc-500">: {s.detail}</span>
                </span>
              </li>
            ))}
          </ol>
        </CardContent>
      </Card>
    </>
  );
}
