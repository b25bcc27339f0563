// The manager home's data, read on the server (page render and the polling route handler share it). Plain JSON:
// no bigint, dates as ISO strings, ages computed here so server and browser render the same text.

import { countConfigEntities, getConfigVersion, getDb, listGatewayNodes } from "@sluice/db";
import { type ManagerOverview, nodeStatus } from "./overview-shape";

export type { ManagerOverview };

export async function getManagerOverview(now = new Date()): Promise<ManagerOverview> {
  const db = getDb();
  const [version, counts, nodes] = await Promise.all([getConfigVersion(db), countConfigEntities(db), listGatewayNodes(db)]);
  const configVersion = Number(version);
  return {
    generatedAt: now.toISOString(),
    configVersion,
    counts,
    nodes: nodes.map((n) => {
      const heartbeatAgeMs = Math.max(0, now.getTime() - n.heartbeatAt.getTime());
      return {
        id: n.id,
        hostname: n.hostname,
        softwareVersion: n.softwareVersion,
        appliedVersion: n.appliedVersion,
        heartbeatAt: n.heartbeatAt.toISOString(),
        heartbeatAgeMs,
        status: nodeStatus({ appliedVersion: n.appliedVersion, heartbeatAgeMs }, configVersion),
        lastError: n.lastError,
      };
    }),
  };
}
