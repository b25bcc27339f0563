import { listConsumers, listRoutes } from "@sluice/db";
import { Alert, PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import { gatewayAdminBaseUrl, gatewayAdminConfigured } from "@/lib/gateway-admin";
import { requireRole } from "@/lib/session";
import { CachePurgeForm } from "./purge-form";

export const metadata: Metadata = { title: "Cache" };
export const dynamic = "force-dynamic";

export default async function CachePage() {
  await requireRole("ADMIN");
  const [routes, consumers] = await Promise.all([
    listRoutes({ pageSize: 200, sort: "name" }),
    listConsumers({ pageSize: 200, sort: "name" }),
  ]);
  return (
    <>
      <PageHeader title="Cache" description="Purge cached answers by route, by consumer, or all of them." />
      {gatewayAdminConfigured() ? null : (
        <Alert tone="warning" className="mb-6">
          The gateway admin token is not configured: set the same <code>SLUICE_GATEWAY_ADMIN_TOKEN</code> for the web app and the
          gateway (<code>pnpm start</code> does this) to purge from here.
        </Alert>
      )}
      <Alert tone="info" className="mb-6">
        The purge is sent to the gateway at <code>{gatewayAdminBaseUrl()}</code>. Caches with the Redis or PostgreSQL backend are
        shared by every node, so one purge clears them everywhere. The in-process (memory) cache is per node: with several gateway
        nodes behind a load balancer, only the node that answered is purged — repeat against each node, or use a shared backend.
      </Alert>
      <CachePurgeForm
        routes={routes.items.map((r) => ({ id: r.id, name: r.name }))}
        consumers={consumers.items.map((c) => ({ id: c.id, name: c.name }))}
      />
    </>
  );
}
