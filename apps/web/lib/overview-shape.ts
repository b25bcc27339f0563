// The manager overview's shape and display helpers: browser-safe (no database imports), shared by the server
// loader (./overview.ts) and the live client component.

/** A node that has not sent a heartbeat for this long is shown as stale. */
export const STALE_AFTER_MS = 30_000;

export type NodeStatus = "current" | "behind" | "stale";

export interface OverviewNode {
  id: string;
  hostname: string | null;
  softwareVersion: string | null;
  appliedVersion: number;
  heartbeatAt: string;
  heartbeatAgeMs: number;
  status: NodeStatus;
  lastError: string | null;
}

export interface ManagerOverview {
  generatedAt: string;
  configVersion: number;
  counts: { providers: number; routes: number; consumers: number; keys: number };
  nodes: OverviewNode[];
}

export function nodeStatus(node: { appliedVersion: number; heartbeatAgeMs: number }, configVersion: number): NodeStatus {
  if (node.heartbeatAgeMs > STALE_AFTER_MS) return "stale";
  return node.appliedVersion < configVersion ? "behind" : "current";
}

/** "4 s ago", "3 min ago", "2 h ago", "5 d ago". */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}
