// Consumer API keys: "sk-sluice-" + random, stored only as sha256 with a display start, plaintext returned once.
// Rotation issues a successor with the same permissions; the old key keeps working for a grace period or is revoked.

import { type Db, getDb } from "../client.ts";
import { generateApiKey } from "../crypto.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import {
  type ApiKeyIssueInput,
  ApiKeyIssueSchema,
  type ApiKeyRotateInput,
  ApiKeyRotateSchema,
  type ListQuery,
  type Page,
} from "../schemas/config.ts";
import { type Actor, ConfigError, contains, listArgs, mutate, notFound, pageOf, parseInput, type Tx } from "./common.ts";

export interface ApiKeyView {
  id: string;
  consumerId: string;
  consumerName: string;
  name: string;
  /** display prefix, e.g. "sk-sluice-AbC1" */
  start: string;
  allowedRoutes: string[];
  allowedModels: string[];
  status: "ACTIVE" | "REVOKED";
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  rotatedFromId: string | null;
  createdAt: Date;
}

/** Never selects the hash. */
const select = {
  id: true,
  consumerId: true,
  name: true,
  start: true,
  allowedRoutes: true,
  allowedModels: true,
  status: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  rotatedFromId: true,
  createdAt: true,
  consumer: { select: { name: true } },
} satisfies Prisma.ApiKeySelect;

type KeyRow = Prisma.ApiKeyGetPayload<{ select: typeof select }>;
const view = ({ consumer, ...k }: KeyRow): ApiKeyView => ({ ...k, consumerName: consumer.name });

export interface IssuedApiKey {
  key: ApiKeyView;
  /** shown once; only its sha256 is stored */
  plaintext: string;
}

export async function listApiKeys(
  query?: ListQuery & { consumerId?: string; status?: "ACTIVE" | "REVOKED" },
  db: Db = getDb(),
): Promise<Page<ApiKeyView>> {
  const a = listArgs(query, ["name", "createdAt", "lastUsedAt", "expiresAt", "status"], "createdAt");
  const where: Prisma.ApiKeyWhereInput = {
    ...(a.q ? { OR: [{ name: contains(a.q) }, { start: { startsWith: a.q } }, { consumer: { name: contains(a.q) } }] } : {}),
    ...(query?.consumerId ? { consumerId: query.consumerId } : {}),
    ...(query?.status ? { status: query.status } : {}),
  };
  const [rows, total] = await Promise.all([
    db.apiKey.findMany({ where, select, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.apiKey.count({ where }),
  ]);
  return pageOf(rows.map(view), total, a);
}

export async function getApiKeyOrThrow(id: string, db: Db | Tx = getDb()): Promise<ApiKeyView> {
  const row = await db.apiKey.findUnique({ where: { id }, select });
  if (!row) throw notFound("key", id);
  return view(row);
}

export async function issueApiKey(input: ApiKeyIssueInput, actor: Actor, db: Db = getDb()): Promise<IssuedApiKey> {
  const k = parseInput(ApiKeyIssueSchema, input);
  const generated = generateApiKey();
  return mutate(db, actor, async (tx) => {
    const consumer = await tx.consumer.findUnique({ where: { id: k.consumerId }, select: { id: true } });
    if (!consumer)
      throw new ConfigError("invalid", `consumer ${k.consumerId} does not exist`, { consumerId: ["unknown consumer"] });
    const row = await tx.apiKey.create({
      data: {
        id: newId("key"),
        consumerId: k.consumerId,
        name: k.name,
        hash: generated.hash,
        start: generated.start,
        allowedRoutes: k.allowedRoutes,
        allowedModels: k.allowedModels,
        expiresAt: k.expiresAt ?? null,
        createdById: actor.type === "USER" ? (actor.id ?? null) : null,
      },
      select,
    });
    const after = view(row);
    return {
      result: { key: after, plaintext: generated.plaintext },
      audit: { action: "key.issue", entityType: "key", entityId: row.id, after },
    };
  });
}

export async function revokeApiKey(id: string, actor: Actor, db: Db = getDb(), now = new Date()): Promise<ApiKeyView> {
  return mutate(db, actor, async (tx) => {
    const before = await getApiKeyOrThrow(id, tx);
    if (before.status === "REVOKED") throw new ConfigError("conflict", "the key is already revoked");
    const row = await tx.apiKey.update({ where: { id }, data: { status: "REVOKED", revokedAt: now }, select });
    const after = view(row);
    return { result: after, audit: { action: "key.revoke", entityType: "key", entityId: id, before, after } };
  });
}

/** A successor key with the same consumer and permissions; the old one expires after the grace (0 = revoked now). */
export async function rotateApiKey(
  id: string,
  input: ApiKeyRotateInput,
  actor: Actor,
  db: Db = getDb(),
  now = new Date(),
): Promise<IssuedApiKey> {
  const r = parseInput(ApiKeyRotateSchema, input);
  const generated = generateApiKey();
  return mutate(db, actor, async (tx) => {
    const before = await getApiKeyOrThrow(id, tx);
    if (before.status === "REVOKED") throw new ConfigError("conflict", "a revoked key cannot be rotated");
    const graceEnd = new Date(now.getTime() + r.graceSeconds * 1000);
    await tx.apiKey.update({
      where: { id },
      data:
        r.graceSeconds === 0
          ? { status: "REVOKED", revokedAt: now }
          : { expiresAt: before.expiresAt && before.expiresAt < graceEnd ? before.expiresAt : graceEnd },
    });
    const row = await tx.apiKey.create({
      data: {
        id: newId("key"),
        consumerId: before.consumerId,
        name: before.name,
        hash: generated.hash,
        start: generated.start,
        allowedRoutes: before.allowedRoutes,
        allowedModels: before.allowedModels,
        expiresAt: before.expiresAt,
        rotatedFromId: id,
        createdById: actor.type === "USER" ? (actor.id ?? null) : null,
      },
      select,
    });
    const after = view(row);
    return {
      result: { key: after, plaintext: generated.plaintext },
      audit: {
        action: "key.rotate",
        entityType: "key",
        entityId: id,
        before,
        after: { newKeyId: row.id, start: row.start, graceSeconds: r.graceSeconds },
      },
    };
  });
}
