// Named queries of the gateway's data plane: the config snapshot (one consistent read, secrets still encrypted),
// node heartbeats, and batched usage inserts. The gateway validates what loadGatewayConfig returns with its own
// snapshot schema; nothing here decrypts.

import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";

const kindOut = (kind: string) => (kind === "openai_compatible" ? "openai-compatible" : kind);

export interface GatewayConfigRows {
  version: string;
  providers: Array<Record<string, unknown>>;
  routes: Array<Record<string, unknown>>;
  consumers: Array<Record<string, unknown>>;
  groups: Array<{ id: string; name: string }>;
  apiKeys: Array<Record<string, unknown>>;
  policies: Array<Record<string, unknown>>;
  prices: Array<Record<string, unknown>>;
  budgets: Array<Record<string, unknown>>;
  promptTemplates: GatewayPromptTemplateRow[];
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface GatewayPromptTemplateRow {
  name: string;
  version: number;
  /** the current version's body: { messages: [{ role, content }] } */
  body: unknown;
}

/** Every prompt template with the body of its current version (templates without that version are left out). */
export async function listPromptTemplatesForGateway(tx: Tx | Db): Promise<GatewayPromptTemplateRow[]> {
  const templates = await tx.promptTemplate.findMany({
    select: { name: true, currentVersion: true, versions: { select: { version: true, body: true } } },
    orderBy: { name: "asc" },
  });
  const out: GatewayPromptTemplateRow[] = [];
  for (const t of templates) {
    const current = t.versions.find((v) => v.version === t.currentVersion);
    if (current) out.push({ name: t.name, version: current.version, body: current.body });
  }
  return out;
}

/** Enabled budgets in the gateway's BudgetConfig shape (limit as exact decimal text). */
export async function listBudgetsForGateway(tx: Tx | Db): Promise<Array<Record<string, unknown>>> {
  const budgets = await tx.budget.findMany({ where: { enabled: true }, orderBy: { id: "asc" } });
  return budgets.map((b) => ({
    id: b.id,
    name: b.name,
    scope: b.scope,
    teamId: b.teamId,
    consumerId: b.consumerId,
    apiKeyId: b.apiKeyId,
    routeId: b.routeId,
    metric: b.metric,
    limit: b.limit.toFixed(),
    currency: b.currency,
    period: b.period,
    timezone: b.timezone,
    action: b.action,
    downgradeTargetId: b.downgradeTargetId,
    enabled: b.enabled,
  }));
}

/** Everything a gateway node serves from, read in one repeatable-read transaction so it matches `version`. */
export async function loadGatewayConfig(db: Db): Promise<GatewayConfigRows> {
  return db.$transaction(
    async (tx) => {
      const state = await tx.configState.findUnique({ where: { id: 1 } });
      const [providers, routes, consumers, groups, apiKeys, policies, prices, budgets, promptTemplates] = await Promise.all([
        tx.provider.findMany({
          omit: { credentialsEncrypted: false, previousCredentialsEncrypted: false },
          orderBy: { name: "asc" },
        }),
        tx.route.findMany({
          include: { targets: { orderBy: { position: "asc" } }, allowedGroups: { select: { groupId: true } } },
          orderBy: { name: "asc" },
        }),
        tx.consumer.findMany({ include: { groups: { select: { groupId: true } } } }),
        tx.consumerGroup.findMany({ select: { id: true, name: true } }),
        tx.apiKey.findMany({
          select: {
            id: true,
            consumerId: true,
            hash: true,
            allowedRoutes: true,
            allowedModels: true,
            status: true,
            expiresAt: true,
          },
        }),
        tx.policy.findMany({ where: { enabled: true }, orderBy: { position: "asc" } }),
        tx.price.findMany(),
        listBudgetsForGateway(tx),
        listPromptTemplatesForGateway(tx),
      ]);
      return {
        version: (state?.version ?? 0n).toString(),
        providers: providers.map((p) => ({
          id: p.id,
          name: p.name,
          kind: kindOut(p.kind),
          baseUrl: p.baseUrl,
          settings: p.settings,
          credentialsEncrypted: p.credentialsEncrypted,
          credentialsRef: p.credentialsRef,
          // zero-downtime rotation: the gateway retries a 401 once with the previous credential until it expires
          previousCredentialsEncrypted: p.previousCredentialsEncrypted,
          previousCredentialsExpiresAt: p.previousCredentialsExpiresAt,
          allowOverride: p.allowOverride,
          enabled: p.enabled,
        })),
        routes: routes.map((r) => ({
          id: r.id,
          name: r.name,
          paths: r.paths,
          type: r.type,
          nativeFormat: r.nativeFormat,
          balancer: r.balancer,
          retry: r.retry,
          options: r.options,
          enabled: r.enabled,
          allowedGroupIds: r.allowedGroups.map((g) => g.groupId),
          targets: r.targets.map((t) => ({
            id: t.id,
            providerId: t.providerId,
            model: t.model,
            alias: t.alias,
            weight: t.weight,
            priority: t.priority,
            description: t.description,
            options: t.options,
            position: t.position,
            enabled: t.enabled,
          })),
        })),
        consumers: consumers.map((c) => ({
          id: c.id,
          name: c.name,
          teamId: c.teamId,
          metadata: c.metadata,
          disabled: c.disabled,
          groupIds: c.groups.map((g) => g.groupId),
        })),
        groups,
        apiKeys: apiKeys.map((k) => ({ ...k, expiresAt: k.expiresAt?.toISOString() ?? null })),
        policies: policies.map((p) => ({
          id: p.id,
          name: p.name,
          type: p.type,
          scope: p.scope,
          routeId: p.routeId,
          groupId: p.groupId,
          consumerId: p.consumerId,
          apiKeyId: p.apiKeyId,
          teamId: p.teamId,
          position: p.position,
          enabled: p.enabled,
          config: p.config,
        })),
        prices: prices.map((p) => ({
          providerKind: kindOut(p.providerKind),
          model: p.model,
          inputPer1M: p.inputPer1M.toString(),
          outputPer1M: p.outputPer1M.toString(),
          cachedInputPer1M: p.cachedInputPer1M?.toString() ?? null,
          reasoningPer1M: p.reasoningPer1M?.toString() ?? null,
          currency: p.currency,
          effectiveFrom: p.effectiveFrom.toISOString(),
        })),
        budgets,
        promptTemplates,
      };
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
}

export interface GatewayHeartbeat {
  id: string;
  hostname?: string | null;
  softwareVersion?: string | null;
  appliedVersion: bigint;
  health?: Prisma.InputJsonValue | null;
  lastError?: string | null;
}

/** Upsert this node's row: id, applied config version, last error. */
export async function heartbeatGatewayNode(db: Db, node: GatewayHeartbeat): Promise<void> {
  const data = {
    hostname: node.hostname ?? null,
    softwareVersion: node.softwareVersion ?? null,
    appliedVersion: node.appliedVersion,
    heartbeatAt: new Date(),
    health: node.health ?? undefined,
    lastError: node.lastError ?? null,
  };
  await db.gatewayNode.upsert({ where: { id: node.id }, create: { id: node.id, ...data }, update: data });
}

export type UsageEventInput = Prisma.UsageEventCreateManyInput;

/** Insert a batch of usage events; rows whose requestId already exists are skipped (a retried batch is harmless). */
export async function insertUsageEvents(db: Db, events: UsageEventInput[]): Promise<number> {
  if (events.length === 0) return 0;
  const result = await db.usageEvent.createMany({ data: events, skipDuplicates: true });
  return result.count;
}
