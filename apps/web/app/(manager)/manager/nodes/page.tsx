import { getConfigVersion, getDb, listGatewayNodesWithHealth, listRoutes } from "@sluice/db";
import { Badge, Card, CardContent, CardDescription, CardHeader, CardTitle, EmptyState, PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import { formatAge, nodeStatus, STALE_AFTER_MS } from "@/lib/overview-shape";
import { requireRole } from "@/lib/session";
import { formatDate } from "../_components/errors";
import { HealthTable, type TargetLabel } from "./health-table";

export const metadata: Metadata = { title: "Gateway nodes" };
export const dynamic = "force-dynamic";

export default async function NodesPage() {
  await requireRole("ADMIN");
  const [nodes, version, routes] = await Promise.all([
    listGatewayNodesWithHealth(),
    getConfigVersion(getDb()),
    listRoutes({ pageSize: 200 }),
  ]);
  const labels: Record<string, TargetLabel> = {};
  for (const r of routes.items)
    for (const t of r.targets)
      labels[t.id] = { route: `${r.name} (${r.paths.join(", ")})`, target: `${t.providerName} · ${t.model}` };
  const configVersion = Number(version);
  const now = Date.now();
  return (
    <>
      <PageHeader
        title="Gateway nodes"
        description={`Each node's applied config version (current: v${configVersion}), heartbeat, and the health and breaker state of every target it reports. A node is stale after ${STALE_AFTER_MS / 1000} s without a heartbeat.`}
      />
      {nodes.length === 0 ? (
        <EmptyState title="No gateway has reported yet" description="Gateways appear here once they start with this database." />
      ) : (
        <div className="space-y-4" data-testid="nodes-list">
          {nodes.map((n) => {
            const age = Math.max(0, now - n.heartbeatAt.getTime());
            const status = nodeStatus({ appliedVersion: n.appliedVersion, heartbeatAgeMs: age }, configVersion);
            return (
              <Card key={n.id}>
                <CardHeader>
                  <CardTitle className="flex items-center gap-2">
                    <span className="font-mono">{n.id}</span>
                    <Badge tone={status === "current" ? "success" : status === "behind" ? "warning" : "danger"}>
                      {status === "current" ? "up to date" : status === "behind" ? "behind" : "no heartbeat"}
                    </Badge>
                  </CardTitle>
                  <CardDescription>
                    {n.hostname ?? "unknown host"} · {n.softwareVersion ?? "unknown version"} · applied v{n.appliedVersion} ·
                    heartbeat {formatAge(age)} · started {formatDate(n.startedAt)}
                  </CardDescription>
                </CardHeader>
                <CardContent>
                  {n.lastError ? <p className="mb-3 text-sm text-red-600">Last error: {n.lastError}</p> : null}
                  <HealthTable health={n.health} labels={labels} />
                </CardContent>
              </Card>
            );
          })}
        </div>
      )}
    </>
  );
}
