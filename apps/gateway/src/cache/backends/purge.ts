// Purge selectors -> (routeId, partition) filters, shared by every backend.

import { consumerPartition, teamPartition } from "../key.ts";
import type { PurgeSelector } from "../types.ts";

export interface PurgeFilter {
  all: boolean;
  routeId: string | null;
  partition: string | null;
}

/** `consumerId` / `teamId` name partitions; a selector naming two different partitions matches nothing. */
export function purgeFilter(selector: PurgeSelector): PurgeFilter | null {
  if (selector.all === true) return { all: true, routeId: null, partition: null };
  const partitions = new Set<string>();
  if (selector.partition) partitions.add(selector.partition);
  if (selector.consumerId) partitions.add(consumerPartition(selector.consumerId));
  if (selector.teamId) partitions.add(teamPartition(selector.teamId));
  if (partitions.size > 1) return null;
  const partition = partitions.values().next().value ?? null;
  const routeId = selector.routeId ?? null;
  // an empty selector purges nothing: "all" must be said explicitly
  if (routeId === null && partition === null) return null;
  return { all: false, routeId, partition };
}

export function purgeMatcher(selector: PurgeSelector): (routeId: string, partition: string) => boolean {
  const f = purgeFilter(selector);
  if (!f) return () => false;
  if (f.all) return () => true;
  return (routeId, partition) =>
    (f.routeId === null || f.routeId === routeId) && (f.partition === null || f.partition === partition);
}
