import { listGroupOptions, listProviderOptions } from "@sluice/db";
import { PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import { requireRole } from "@/lib/session";
import { gatewayUrl } from "../gateway-url";
import { RouteForm } from "../route-form";

export const metadata: Metadata = { title: "Create route" };
export const dynamic = "force-dynamic";

export default async function NewRoutePage() {
  await requireRole("ADMIN");
  const [providers, groups] = await Promise.all([listProviderOptions(), listGroupOptions()]);
  return (
    <>
      <PageHeader title="Create route" description="Path, targets, balancing, retries and who may call it." />
      <RouteForm route={null} providers={providers} groups={groups} gatewayUrl={gatewayUrl()} />
    </>
  );
}
