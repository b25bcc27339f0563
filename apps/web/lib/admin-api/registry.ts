// Every Admin API resource in one table: its scopes, list filters, and the service functions behind list / get /
// create / update / delete and extra actions, with the zod schemas that validate them. The route handlers and the
// OpenAPI document are both generated from this table, so they cannot disagree.

import type { Actor } from "@sluice/db";
import * as db from "@sluice/db";
import {
  type AdminScope,
  AdminTokenCreateSchema,
  ApiKeyIssueSchema,
  ApiKeyRotateSchema,
  BudgetCreateSchema,
  BudgetUpdateSchema,
  ConsumerCreateSchema,
  ConsumerUpdateSchema,
  GroupCreateSchema,
  GroupUpdateSchema,
  PolicyCreateSchema,
  PolicyScopeSchema,
  PolicyUpdateSchema,
  PriceCreateSchema,
  PromptTemplateCreateSchema,
  PromptTemplateVersionCreateSchema,
  ProviderCreateSchema,
  ProviderKindSchema,
  ProviderRotateSchema,
  ProviderUpdateSchema,
  RoleSchema,
  RouteCreateSchema,
  RouteTypeSchema,
  RouteUpdateSchema,
  TeamCreateSchema,
  TeamUpdateSchema,
  UserInviteSchema,
  UserUpdateSchema,
} from "@sluice/db/schemas";
import { z } from "zod";

type Input = unknown;

export interface ActionDef {
  method: "GET" | "POST";
  summary: string;
  /** request body schema (POST) */
  body?: z.ZodType;
  /** the response status on success */
  status?: number;
  scope?: AdminScope;
  run: (id: string, input: Input, actor: Actor) => Promise<unknown>;
}

export interface ResourceDef {
  /** URL segment, e.g. "providers" */
  name: string;
  /** singular, for docs */
  entity: string;
  description: string;
  read: AdminScope;
  write: AdminScope;
  /** extra list filters (query string) */
  filters?: z.ZodObject;
  list?: (query: Record<string, unknown>) => Promise<unknown>;
  get?: (id: string) => Promise<unknown>;
  create?: { body: z.ZodType; run: (input: Input, actor: Actor) => Promise<unknown>; summary?: string };
  update?: { body: z.ZodType; run: (id: string, input: Input, actor: Actor) => Promise<unknown> };
  remove?: { run: (id: string, actor: Actor) => Promise<unknown>; summary?: string };
  /** POST/GET /{name}/{id}/{action} */
  actions?: Record<string, ActionDef>;
  /** POST /{name}/-/{action}: actions on the collection */
  collectionActions?: Record<string, Omit<ActionDef, "run"> & { run: (input: Input, actor: Actor) => Promise<unknown> }>;
}

const bool = z
  .enum(["true", "false"])
  .transform((v) => v === "true")
  .optional();

const as = <T>(v: unknown) => v as T;

export const RESOURCES: ResourceDef[] = [
  {
    name: "providers",
    entity: "provider",
    description:
      "Upstream LLM APIs. Credentials are write-only (encrypted with the master key) or references (env, file, Vault).",
    read: "config:read",
    write: "config:write",
    filters: z.object({ kind: ProviderKindSchema.optional() }),
    list: (q) => db.listProviders(q),
    get: (id) => db.getProviderOrThrow(id),
    create: { body: ProviderCreateSchema, run: (i, a) => db.createProvider(as(i), a) },
    update: { body: ProviderUpdateSchema, run: (id, i, a) => db.updateProvider(id, as(i), a) },
    remove: { run: (id, a) => db.deleteProvider(id, a) },
    actions: {
      rotate: {
        method: "POST",
        summary: "Rotate the stored credential; the previous one stays valid for graceSeconds",
        body: ProviderRotateSchema,
        run: (id, i, a) => db.rotateProviderCredentials(id, as(i), a),
      },
    },
  },
  {
    name: "routes",
    entity: "route",
    description: "Path prefixes with their targets, balancer, retries/timeouts, options and allowed consumer groups.",
    read: "config:read",
    write: "config:write",
    filters: z.object({ type: RouteTypeSchema.optional(), enabled: bool }),
    list: (q) => db.listRoutes(q),
    get: (id) => db.getRouteOrThrow(id),
    create: { body: RouteCreateSchema, run: (i, a) => db.createRoute(as(i), a) },
    update: { body: RouteUpdateSchema, run: (id, i, a) => db.updateRoute(id, as(i), a) },
    remove: { run: (id, a) => db.deleteRoute(id, a) },
  },
  {
    name: "policies",
    entity: "policy",
    description: "Typed, ordered policies (rate-limit, cache, prompt-*, pii, transformer, custom) attached to a scope.",
    read: "config:read",
    write: "config:write",
    filters: z.object({ type: z.string().optional(), scope: PolicyScopeSchema.optional(), routeId: z.string().optional() }),
    list: (q) => db.listPolicies(q),
    get: (id) => db.getPolicyOrThrow(id),
    create: { body: PolicyCreateSchema, run: (i, a) => db.createPolicy(as(i), a) },
    update: { body: PolicyUpdateSchema, run: (id, i, a) => db.updatePolicy(id, as(i), a) },
    remove: { run: (id, a) => db.deletePolicy(id, a) },
    collectionActions: {
      reorder: {
        method: "POST",
        summary: "Set the order of policies (positions 0, 10, 20 … in the given order)",
        body: z.object({ ids: z.array(z.string().min(1)).min(1) }).strict(),
        run: async (i, a) => {
          const { ids } = db.parseInput(z.object({ ids: z.array(z.string().min(1)).min(1) }).strict(), i);
          await db.reorderPolicies(ids, a);
          return { ok: true };
        },
      },
    },
  },
  {
    name: "consumers",
    entity: "consumer",
    description: "Applications that call the gateway; members of groups, owners of keys.",
    read: "config:read",
    write: "config:write",
    filters: z.object({ teamId: z.string().optional(), groupId: z.string().optional() }),
    list: (q) => db.listConsumers(q),
    get: (id) => db.getConsumerOrThrow(id),
    create: { body: ConsumerCreateSchema, run: (i, a) => db.createConsumer(as(i), a) },
    update: { body: ConsumerUpdateSchema, run: (id, i, a) => db.updateConsumer(id, as(i), a) },
    remove: { run: (id, a) => db.deleteConsumer(id, a) },
  },
  {
    name: "groups",
    entity: "consumer group",
    description: "Consumer groups: route access lists and shared policies.",
    read: "config:read",
    write: "config:write",
    list: (q) => db.listGroups(q),
    get: (id) => db.getGroupOrThrow(id),
    create: { body: GroupCreateSchema, run: (i, a) => db.createGroup(as(i), a) },
    update: { body: GroupUpdateSchema, run: (id, i, a) => db.updateGroup(id, as(i), a) },
    remove: { run: (id, a) => db.deleteGroup(id, a) },
  },
  {
    name: "teams",
    entity: "team",
    description: "Teams own consumers and users; budgets and policies may apply to a team.",
    read: "config:read",
    write: "config:write",
    list: (q) => db.listTeams(q),
    get: (id) => db.getTeamOrThrow(id),
    create: { body: TeamCreateSchema, run: (i, a) => db.createTeam(as(i), a) },
    update: { body: TeamUpdateSchema, run: (id, i, a) => db.updateTeam(id, as(i), a) },
    remove: { run: (id, a) => db.deleteTeam(id, a) },
  },
  {
    name: "keys",
    entity: "consumer API key",
    description: "Consumer keys. Creating or rotating returns the plaintext once (`plaintext`); only a sha256 is stored.",
    read: "config:read",
    write: "config:write",
    filters: z.object({ consumerId: z.string().optional(), status: z.enum(["ACTIVE", "REVOKED"]).optional() }),
    list: (q) => db.listApiKeys(q),
    get: (id) => db.getApiKeyOrThrow(id),
    create: {
      body: ApiKeyIssueSchema,
      run: (i, a) => db.issueApiKey(as(i), a),
      summary: "Issue a key (plaintext returned once)",
    },
    actions: {
      revoke: { method: "POST", summary: "Revoke the key", run: (id, _i, a) => db.revokeApiKey(id, a) },
      rotate: {
        method: "POST",
        summary: "Issue a successor (plaintext returned once); the old key expires after graceSeconds (0 = revoked now)",
        body: ApiKeyRotateSchema,
        status: 201,
        run: (id, i, a) => db.rotateApiKey(id, as(i), a),
      },
    },
  },
  {
    name: "templates",
    entity: "prompt template",
    description: "Versioned prompt templates with {{variable}} placeholders.",
    read: "config:read",
    write: "config:write",
    list: (q) => db.listPromptTemplates(q),
    get: (id) => db.getPromptTemplateOrThrow(id),
    create: { body: PromptTemplateCreateSchema, run: (i, a) => db.createPromptTemplate(as(i), a) },
    remove: { run: (id, a) => db.deletePromptTemplate(id, a) },
    actions: {
      versions: {
        method: "POST",
        summary: "Add a version and make it current",
        body: PromptTemplateVersionCreateSchema,
        status: 201,
        run: (id, i, a) => db.addPromptTemplateVersion(id, as(i), a),
      },
      "list-versions": {
        method: "GET",
        summary: "Every version, newest first",
        scope: "config:read",
        run: (id) => db.listPromptTemplateVersions(id),
      },
      current: {
        method: "POST",
        summary: "Serve an existing version (rollback)",
        body: z.object({ version: z.number().int().min(1) }).strict(),
        run: (id, i, a) => {
          const { version } = db.parseInput(z.object({ version: z.number().int().min(1) }).strict(), i);
          return db.setPromptTemplateCurrentVersion(id, version, a);
        },
      },
    },
  },
  {
    name: "prices",
    entity: "price",
    description:
      "Prices per 1M tokens with effective dates. A change is a new row; only scheduled (future) prices can be deleted.",
    read: "config:read",
    write: "config:write",
    filters: z.object({ providerKind: ProviderKindSchema.optional(), currentOnly: bool }),
    list: (q) => db.listPrices(q),
    create: { body: PriceCreateSchema, run: (i, a) => db.createPrice(as(i), a) },
    remove: { run: (id, a) => db.deleteScheduledPrice(id, a), summary: "Withdraw a price that has not taken effect yet" },
  },
  {
    name: "budgets",
    entity: "budget",
    description: "Money or token budgets per period; reject or downgrade when exhausted.",
    read: "config:read",
    write: "config:write",
    filters: z.object({ scope: z.enum(["GLOBAL", "TEAM", "CONSUMER", "KEY", "ROUTE"]).optional() }),
    list: (q) => db.listBudgets(q),
    get: (id) => db.getBudgetOrThrow(id),
    create: { body: BudgetCreateSchema, run: (i, a) => db.createBudget(as(i), a) },
    update: { body: BudgetUpdateSchema, run: (id, i, a) => db.updateBudget(id, as(i), a) },
    remove: { run: (id, a) => db.deleteBudget(id, a) },
  },
  {
    name: "users",
    entity: "user",
    description: "People who sign in. Roles, team and disabled are editable; new users arrive through invites.",
    read: "users:write",
    write: "users:write",
    filters: z.object({ role: RoleSchema.optional() }),
    list: (q) => db.listUsers(q),
    get: (id) => db.getUserOrThrow(id),
    update: { body: UserUpdateSchema, run: (id, i, a) => db.updateUser(id, as(i), a) },
  },
  {
    name: "invites",
    entity: "user invite",
    description: "Invites carry a one-time token (returned once as `token`); only its hash is stored.",
    read: "users:write",
    write: "users:write",
    filters: z.object({ pending: bool }),
    list: (q) => db.listInvites(q),
    create: { body: UserInviteSchema, run: (i, a) => db.inviteUser(as(i), a) },
    remove: { run: (id, a) => db.revokeInvite(id, a) },
  },
  {
    name: "admin-tokens",
    entity: "admin API token",
    description: "Tokens for this API (plaintext returned once as `plaintext`). Deleting revokes.",
    read: "users:write",
    write: "users:write",
    filters: z.object({ status: z.enum(["ACTIVE", "REVOKED"]).optional() }),
    list: (q) => db.listAdminTokens(q),
    create: { body: AdminTokenCreateSchema, run: (i, a) => db.createAdminToken(as(i), a) },
    remove: { run: (id, a) => db.revokeAdminToken(id, a), summary: "Revoke the token" },
  },
  {
    name: "audit",
    entity: "audit entry",
    description: "Every configuration change with actor, time, entity and before/after (secrets stripped).",
    read: "audit:read",
    write: "audit:read",
    filters: z.object({
      entityType: z.string().optional(),
      entityId: z.string().optional(),
      actorId: z.string().optional(),
      action: z.string().optional(),
      from: z.coerce.date().optional(),
      to: z.coerce.date().optional(),
    }),
    list: (q) => db.listAuditLog(q),
  },
  {
    name: "nodes",
    entity: "gateway node",
    description: "Gateway nodes: applied config version, heartbeat, reported target health.",
    read: "config:read",
    write: "config:read",
    list: async () => {
      const items = await db.listGatewayNodesWithHealth();
      return { items, total: items.length, page: 1, pageSize: items.length };
    },
  },
];

export function findResource(name: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.name === name);
}
