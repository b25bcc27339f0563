import { PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import { getManagerOverview } from "@/lib/overview";
import { requireRole } from "@/lib/session";
import { OverviewLive } from "./overview-live";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function ManagerHome() {
  await requireRole("ADMIN");
  const overview = await getManagerOverview();
  return (
    <>
      <PageHeader title="Overview" description="What this Sluice installation serves, and which gateways run which config." />
      <OverviewLive initial={overview} />
    </>
  );
}
