// Providers: endpoint settings plus write-only credentials. A credential is either encrypted here with the master key
// ring (SLUICE_MASTER_KEYS or SLUICE_MASTER_KEY) or given as a reference the gateway resolves (env, file, Vault).
// Nothing secret is ever returned: reads use the client's default omit and map to SafeProvider.

import { type Db, getDb } from "../client.ts";
import { encryptSecret, type MasterKeyRing, parseMasterKeys } from "../crypto.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import {
  type ListQuery,
  type Page,
  type ProviderCreateInput,
  ProviderCreateSchema,
  type ProviderRotateInput,
  ProviderRotateSchema,
  type ProviderUpdateInput,
  ProviderUpdateSchema,
} from "../schemas/config.ts";
import type { ProviderCredentials, ProviderKind } from "../schemas/index.ts";
import {
  type Actor,
  ConfigError,
  contains,
  kindFromDb,
  kindToDb,
  listArgs,
  mutate,
  notFound,
  pageOf,
  parseInput,
  parseUpdate,
  type Tx,
} from "./common.ts";

/** The master key ring from the environment; a clear error when none is configured. */
export function masterKeyRingFromEnv(env: Record<string, string | undefined> = process.env): MasterKeyRing {
  const spec = env.SLUICE_MASTER_KEYS || env.SLUICE_MASTER_KEY;
  if (!spec)
    throw new ConfigError(
      "unavailable",
      "SLUICE_MASTER_KEY is not set: provider credentials cannot be stored (use a credentials reference instead)",
    );
  return parseMasterKeys(spec);
}

export interface ProviderView {
  id: string;
  name: string;
  kind: ProviderKind;
  baseUrl: string | null;
  settings: Record<string, unknown>;
  /** credentials are stored (encrypted); they are never shown */
  hasCredentials: boolean;
  credentialsRef: unknown;
  /** the previous credential still works until this time (rotation grace) */
  previousCredentialsExpiresAt: Date | null;
  allowOverride: boolean;
  enabled: boolean;
  targetCount: number;
  createdAt: Date;
  updatedAt: Date;
}

type ProviderRow = Omit<
  Prisma.ProviderGetPayload<{ include: { _count: { select: { targets: true } } } }>,
  "credentialsEncrypted" | "previousCredentialsEncrypted"
>;

function view(p: ProviderRow): ProviderView {
  return {
    id: p.id,
    name: p.name,
    kind: kindFromDb(p.kind) as ProviderKind,
    baseUrl: p.baseUrl,
    settings: (p.settings ?? {}) as Record<string, unknown>,
    hasCredentials: p.credentialsKeyVersion !== null,
    credentialsRef: p.credentialsRef ?? null,
    previousCredentialsExpiresAt:
      p.previousCredentialsExpiresAt && p.previousCredentialsKeyVersion !== null ? p.previousCredentialsExpiresAt : null,
    allowOverride: p.allowOverride,
    enabled: p.enabled,
    targetCount: p._count.targets,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

const include = { _count: { select: { targets: true } } } as const;

function encryptCredentials(credentials: ProviderCredentials, ring: MasterKeyRing) {
  const { ciphertext, keyVersion } = encryptSecret(JSON.stringify(credentials), ring);
  return { credentialsEncrypted: ciphertext, credentialsKeyVersion: keyVersion };
}

const NO_STORED_CREDENTIALS = {
  credentialsEncrypted: null,
  credentialsKeyVersion: null,
  previousCredentialsEncrypted: null,
  previousCredentialsKeyVersion: null,
  previousCredentialsExpiresAt: null,
};

export async function listProviders(query?: ListQuery & { kind?: string }, db: Db = getDb()): Promise<Page<ProviderView>> {
  const a = listArgs(query, ["name", "kind", "createdAt", "updatedAt"], "name");
  const where: Prisma.ProviderWhereInput = {
    ...(a.q ? { OR: [{ name: contains(a.q) }, { baseUrl: contains(a.q) }] } : {}),
    ...(query?.kind ? { kind: kindToDb(query.kind) as never } : {}),
  };
  const [rows, total] = await Promise.all([
    db.provider.findMany({ where, include, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.provider.count({ where }),
  ]);
  return pageOf(rows.map(view), total, a);
}

/** Every provider, by name (for pickers). */
export async function listProviderOptions(db: Db = getDb()): Promise<Array<{ id: string; name: string; kind: ProviderKind }>> {
  const rows = await db.provider.findMany({ select: { id: true, name: true, kind: true }, orderBy: { name: "asc" } });
  return rows.map((r) => ({ ...r, kind: kindFromDb(r.kind) as ProviderKind }));
}

export async function getProviderOrThrow(id: string, db: Db | Tx = getDb()): Promise<ProviderView> {
  const row = await db.provider.findUnique({ where: { id }, include });
  if (!row) throw notFound("provider", id);
  return view(row);
}

export async function createProvider(
  input: ProviderCreateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { ring?: MasterKeyRing; id?: string } = {},
): Promise<ProviderView> {
  const p = parseInput(ProviderCreateSchema, input);
  const secret = p.credentials ? encryptCredentials(p.credentials, opts.ring ?? masterKeyRingFromEnv()) : {};
  return mutate(db, actor, async (tx) => {
    const row = await tx.provider.create({
      data: {
        id: opts.id ?? newId("provider"),
        name: p.name,
        kind: kindToDb(p.kind),
        baseUrl: p.baseUrl ?? null,
        settings: p.settings,
        credentialsRef: p.credentialsRef ?? undefined,
        allowOverride: p.allowOverride,
        enabled: p.enabled,
        ...secret,
      },
      include,
    });
    const after = view(row);
    return { result: after, audit: { action: "provider.create", entityType: "provider", entityId: row.id, after } };
  });
}

export async function updateProvider(
  id: string,
  input: ProviderUpdateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { ring?: MasterKeyRing } = {},
): Promise<ProviderView> {
  const p = parseUpdate(ProviderUpdateSchema, input);
  let secret: Prisma.ProviderUpdateInput = {};
  if (p.credentials)
    secret = { ...NO_STORED_CREDENTIALS, ...encryptCredentials(p.credentials, opts.ring ?? masterKeyRingFromEnv()) };
  else if (p.credentials === null) secret = NO_STORED_CREDENTIALS;
  // one source of credentials at a time: a new reference drops stored ones and the other way round
  if (p.credentialsRef) secret = { ...secret, ...NO_STORED_CREDENTIALS };
  const ref: Prisma.ProviderUpdateInput =
    p.credentialsRef !== undefined
      ? { credentialsRef: p.credentialsRef ?? Prisma.DbNull }
      : p.credentials
        ? { credentialsRef: Prisma.DbNull }
        : {};
  return mutate(db, actor, async (tx) => {
    const before = await getProviderOrThrow(id, tx);
    const row = await tx.provider.update({
      where: { id },
      data: {
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.kind !== undefined ? { kind: kindToDb(p.kind) } : {}),
        ...(p.baseUrl !== undefined ? { baseUrl: p.baseUrl ?? null } : {}),
        ...(p.settings !== undefined ? { settings: p.settings } : {}),
        ...(p.allowOverride !== undefined ? { allowOverride: p.allowOverride } : {}),
        ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
        ...secret,
        ...ref,
      },
      include,
    });
    const after = view(row);
    const action = p.credentials ? "provider.update_credentials" : "provider.update";
    return { result: after, audit: { action, entityType: "provider", entityId: id, before, after } };
  });
}

export async function setProviderEnabled(id: string, enabled: boolean, actor: Actor, db: Db = getDb()) {
  return updateProvider(id, { enabled }, actor, db);
}

/**
 * Zero-downtime rotation: the new credential is active at once; the old envelope stays as `previousCredentials…` until
 * `graceSeconds` from now, so requests already on their way (or nodes a version behind) keep working.
 */
export async function rotateProviderCredentials(
  id: string,
  input: ProviderRotateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { ring?: MasterKeyRing; now?: Date } = {},
): Promise<ProviderView> {
  const p = parseInput(ProviderRotateSchema, input);
  const ring = opts.ring ?? masterKeyRingFromEnv();
  const now = opts.now ?? new Date();
  return mutate(db, actor, async (tx) => {
    const current = await tx.provider.findUnique({
      where: { id },
      omit: { credentialsEncrypted: false },
      include,
    });
    if (!current) throw notFound("provider", id);
    const before = view(current);
    const keepPrevious = current.credentialsEncrypted && p.graceSeconds > 0;
    const row = await tx.provider.update({
      where: { id },
      data: {
        ...encryptCredentials(p.credentials, ring),
        credentialsRef: Prisma.DbNull,
        previousCredentialsEncrypted: keepPrevious ? current.credentialsEncrypted : null,
        previousCredentialsKeyVersion: keepPrevious ? current.credentialsKeyVersion : null,
        previousCredentialsExpiresAt: keepPrevious ? new Date(now.getTime() + p.graceSeconds * 1000) : null,
      },
      include,
    });
    const after = view(row);
    return {
      result: after,
      audit: {
        action: "provider.rotate_credentials",
        entityType: "provider",
        entityId: id,
        before,
        after: { ...after, graceSeconds: p.graceSeconds },
      },
    };
  });
}

/** Deleting a provider that targets still use is refused (remove it from the routes first, or disable it). */
export async function deleteProvider(id: string, actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await getProviderOrThrow(id, tx);
    if (before.targetCount > 0)
      throw new ConfigError(
        "conflict",
        `provider ${before.name} is used by ${before.targetCount} route target(s); remove those first`,
      );
    await tx.provider.delete({ where: { id } });
    return { result: undefined, audit: { action: "provider.delete", entityType: "provider", entityId: id, before } };
  });
}
