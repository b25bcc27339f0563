// Every secret the gateway reads (a credential envelope decrypted, an env / file / Vault reference resolved) is
// counted and audited, never with its value:
//   - sluice_secret_reads_total{provider, source}   (source: encrypted, encrypted-previous, env, file, vault)
//   - with PostgreSQL as the config source, one audit entry per applied snapshot that read secrets: actorType GATEWAY,
//     actorId the node id, action "gateway.secrets_read", entity the node, `after` = { configVersion, reads: [...] }.
// Counting happens when a snapshot is swapped in (a rejected snapshot is not counted). Vault answers served from the
// TTL cache are not reads of Vault and are not counted.

import os from "node:os";
import type { Db } from "@sluice/db";
import type { FastifyBaseLogger } from "fastify";
import { Counter, type Registry } from "prom-client";
import type { Snapshot } from "./snapshot.ts";
import type { ConfigStore } from "./store.ts";

export function summariseSecretReads(s: Snapshot): Array<{ provider: string; source: string; count: number }> {
  const counts = new Map<string, { provider: string; source: string; count: number }>();
  for (const r of s.secretReads) {
    const key = `${r.provider}\u0000${r.source}`;
    const entry = counts.get(key) ?? { provider: r.provider, source: r.source, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()];
}

export function watchSecretReads(o: {
  store: ConfigStore;
  registry: Registry;
  /** where audit entries go; null = metrics only (DB-less) */
  db: Db | null;
  nodeId: string;
  log: FastifyBaseLogger;
}): void {
  const counter = new Counter({
    name: "sluice_secret_reads_total",
    help: "Secrets read by this gateway node (credential decrypted or reference resolved), by provider and source",
    labelNames: ["provider", "source"],
    registers: [o.registry],
  });
  o.store.onSwap((s) => {
    if (s.secretReads.length === 0) return;
    const reads = summariseSecretReads(s);
    for (const r of reads) counter.inc({ provider: r.provider, source: r.source }, r.count);
    if (!o.db || s.source !== "database") return;
    o.db.auditLog
      .create({
        data: {
          actorType: "GATEWAY",
          actorId: o.nodeId,
          actorLabel: os.hostname(),
          action: "gateway.secrets_read",
          entityType: "gateway_node",
          entityId: o.nodeId,
          after: { configVersion: s.version.toString(), reads },
        },
      })
      .catch((err: Error) => o.log.warn({ err: { message: err.message } }, "could not audit the secrets read"));
  });
}
