// Shared plumbing of the config service layer: who acts, the error every service throws, input parsing, audit
// snapshots with secrets stripped, paging, and the one `mutate` wrapper around writeConfig.

import type { z } from "zod";
import type { Db } from "../client.ts";
import { type Tx, writeConfig } from "../config-version.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { fieldErrors, type ListQuery, ListQuerySchema, type Page } from "../schemas/config.ts";

export type { ListQuery, Page, Tx };

export interface Actor {
  type: "USER" | "ADMIN_TOKEN" | "SYSTEM";
  id?: string | null;
  /** e-mail of a user, name of a token */
  label?: string | null;
  ip?: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: "SYSTEM", label: "system" };

export type ConfigErrorCode = "invalid" | "not_found" | "conflict" | "forbidden" | "unavailable";

const STATUS: Record<ConfigErrorCode, number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409, unavailable: 503 };

/** The one error the services throw: a code with its HTTP status, a public message, and per-field messages. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly status: number;
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}

/** Parse input with a schema; a failure is a ConfigError("invalid") with field messages. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const fields = fieldErrors(r.error);
    const first = Object.entries(fields)[0];
    throw new ConfigError("invalid", first ? `${first[0]}: ${first[1][0]}` : "invalid input", fields);
  }
  return r.data;
}

/**
 * Partial updates: zod fills defaults for absent keys even in `.partial()` objects, so keep only the keys the caller
 * actually sent.
 */
export function presentOnly<T extends object>(parsed: T, raw: unknown): Partial<T> {
  if (!raw || typeof raw !== "object") return {};
  const out: Partial<T> = {};
  for (const key of Object.keys(parsed) as Array<keyof T>) {
    if ((raw as Record<string, unknown>)[key as string] !== undefined) out[key] = parsed[key];
  }
  return out;
}

export function parseUpdate<S extends z.ZodTypeAny>(schema: S, input: unknown): Partial<z.output<S>> {
  return presentOnly(parseInput(schema, input) as object, input) as Partial<z.output<S>>;
}

// ─── audit snapshots ───────────────────────────────────────────────────────────────────────────────────────────

/** Field names that never reach the audit log (nor any API answer), at any depth. */
const SECRET_KEYS = new Set([
  "credentialsEncrypted",
  "previousCredentialsEncrypted",
  "credentials",
  "hash",
  "tokenHash",
  "passwordHash",
  "password",
  "plaintext",
  "token",
  "apiKey",
  "secretAccessKey",
  "sessionToken",
  "accessToken",
]);

/** A JSON-safe copy with secrets removed: dates as ISO text, decimals and bigints as strings. */
export function auditJson(value: unknown): Prisma.InputJsonValue | null {
  const walk = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (v instanceof Date) return v.toISOString();
    if (typeof v === "bigint") return v.toString();
    if (Prisma.Decimal.isDecimal(v)) return (v as Prisma.Decimal).toString();
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (SECRET_KEYS.has(k)) continue;
        if (x === undefined) continue;
        out[k] = walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(value) as Prisma.InputJsonValue | null;
}

export interface MutationAudit {
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Run a config mutation through writeConfig (mutation + version bump + audit entry in one transaction). `fn` returns
 * the result and the audit facts it learned (ids, before/after rows); they are stripped of secrets here.
 */
export async function mutate<T>(db: Db, actor: Actor, fn: (tx: Tx) => Promise<{ result: T; audit: MutationAudit }>): Promise<T> {
  try {
    // the audit entry is known only after the mutation, so it is written inside the same transaction
    const { result } = await writeConfig(db, null, async (tx) => {
      const out = await fn(tx);
      await tx.auditLog.create({
        data: {
          actorType: actor.type,
          actorId: actor.id ?? null,
          actorLabel: actor.label ?? null,
          action: out.audit.action,
          entityType: out.audit.entityType,
          entityId: out.audit.entityId ?? null,
          before: auditJson(out.audit.before) ?? undefined,
          after: auditJson(out.audit.after) ?? undefined,
          ip: actor.ip ?? null,
        },
      });
      return out.result;
    });
    return result;
  } catch (err) {
    throw mapPrismaError(err);
  }
}

/** Prisma's known errors as ConfigErrors: unique violations are conflicts, missing rows not found. */
export function mapPrismaError(err: unknown): unknown {
  if (err instanceof ConfigError) return err;
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (err.code === "P2002") {
      const target = (err.meta as { target?: unknown } | undefined)?.target;
      const fields = Array.isArray(target) ? target.map(String) : typeof target === "string" ? [target] : [];
      const field = fields.find((f) => f !== "id") ?? "name";
      return new ConfigError("conflict", `${field} is already taken`, { [field]: ["already taken"] });
    }
    if (err.code === "P2025") return new ConfigError("not_found", "not found");
    if (err.code === "P2003") return new ConfigError("conflict", "it refers to something that does not exist or is still in use");
  }
  return err;
}

// ─── lists ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface ListArgs {
  skip: number;
  take: number;
  page: number;
  pageSize: number;
  sort: string;
  order: "asc" | "desc";
  q: string | undefined;
}

/** Paging and a whitelisted sort column from a list query (unknown columns fall back to the default). */
export function listArgs(query: ListQuery | undefined, sortable: readonly string[], defaultSort: string): ListArgs {
  const q = ListQuerySchema.parse(query ?? {});
  const sort = q.sort && sortable.includes(q.sort) ? q.sort : defaultSort;
  return {
    skip: (q.page - 1) * q.pageSize,
    take: q.pageSize,
    page: q.page,
    pageSize: q.pageSize,
    sort,
    order: q.order,
    q: q.q || undefined,
  };
}

export function pageOf<T>(items: T[], total: number, a: ListArgs): Page<T> {
  return { items, total, page: a.page, pageSize: a.pageSize };
}

export const contains = (q: string) => ({ contains: q, mode: "insensitive" as const });

/** Prisma's enum spelling of a provider kind and back. */
export const kindToDb = <K extends string>(kind: K) =>
  (kind === "openai-compatible" ? "openai_compatible" : kind) as Exclude<K, "openai-compatible"> | "openai_compatible";
export const kindFromDb = <K extends string>(kind: K) =>
  (kind === "openai_compatible" ? "openai-compatible" : kind) as Exclude<K, "openai_compatible"> | "openai-compatible";

export function notFound(what: string, id: string): ConfigError {
  return new ConfigError("not_found", `${what} ${id} does not exist`);
}
