// Prices and budgets. A price change is a new row with its own effectiveFrom, so usage already recorded keeps the price
// it was billed at; only a price that has not taken effect yet may be withdrawn.

import { type Db, getDb } from "../client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import {
  type BudgetCreateInput,
  BudgetCreateSchema,
  type BudgetUpdateInput,
  BudgetUpdateSchema,
  type ListQuery,
  type Page,
  type PriceCreateInput,
  PriceCreateSchema,
} from "../schemas/config.ts";
import type { ProviderKind } from "../schemas/enums.ts";
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

// ─── prices ────────────────────────────────────────────────────────────────────────────────────────────────────

export interface PriceView {
  id: string;
  providerKind: ProviderKind;
  model: string;
  inputPer1M: string;
  outputPer1M: string;
  cachedInputPer1M: string | null;
  reasoningPer1M: string | null;
  currency: string;
  contextWindow: number | null;
  effectiveFrom: Date;
  /** the row that applies now to its provider kind and model */
  current: boolean;
  createdAt: Date;
}

type PriceRow = Prisma.PriceGetPayload<object>;

const priceView = (p: PriceRow, current: boolean): PriceView => ({
  id: p.id,
  providerKind: kindFromDb(p.providerKind) as ProviderKind,
  model: p.model,
  inputPer1M: p.inputPer1M.toString(),
  outputPer1M: p.outputPer1M.toString(),
  cachedInputPer1M: p.cachedInputPer1M?.toString() ?? null,
  reasoningPer1M: p.reasoningPer1M?.toString() ?? null,
  currency: p.currency,
  contextWindow: p.contextWindow,
  effectiveFrom: p.effectiveFrom,
  current,
  createdAt: p.createdAt,
});

export async function listPrices(
  query?: ListQuery & { providerKind?: string; currentOnly?: boolean },
  db: Db = getDb(),
  now = new Date(),
): Promise<Page<PriceView>> {
  const a = listArgs(query, ["model", "providerKind", "effectiveFrom", "inputPer1M", "outputPer1M"], "providerKind");
  const where: Prisma.PriceWhereInput = {
    ...(a.q ? { model: contains(a.q) } : {}),
    ...(query?.providerKind ? { providerKind: kindToDb(query.providerKind) as never } : {}),
  };
  // the current row per (kind, model): the latest effectiveFrom that is not in the future
  const currentRows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT DISTINCT ON ("providerKind", model) id FROM prices
    WHERE "effectiveFrom" <= ${now} ORDER BY "providerKind", model, "effectiveFrom" DESC`;
  const currentIds = currentRows.map((r) => r.id);
  const scoped: Prisma.PriceWhereInput = query?.currentOnly ? { AND: [where, { id: { in: currentIds } }] } : where;
  const [rows, total] = await Promise.all([
    db.price.findMany({
      where: scoped,
      orderBy: [{ [a.sort]: a.order }, { model: "asc" }, { effectiveFrom: "desc" }],
      skip: a.skip,
      take: a.take,
    }),
    db.price.count({ where: scoped }),
  ]);
  const current = new Set(currentIds);
  return pageOf(
    rows.map((p) => priceView(p, current.has(p.id))),
    total,
    a,
  );
}

export async function createPrice(
  input: PriceCreateInput,
  actor: Actor,
  db: Db = getDb(),
  now = new Date(),
  opts: { id?: string } = {},
): Promise<PriceView> {
  const p = parseInput(PriceCreateSchema, input);
  return mutate(db, actor, async (tx) => {
    const row = await tx.price.create({
      data: {
        id: opts.id ?? newId("price"),
        providerKind: kindToDb(p.providerKind),
        model: p.model,
        inputPer1M: p.inputPer1M,
        outputPer1M: p.outputPer1M,
        cachedInputPer1M: p.cachedInputPer1M ?? null,
        reasoningPer1M: p.reasoningPer1M ?? null,
        currency: p.currency,
        contextWindow: p.contextWindow ?? null,
        effectiveFrom: p.effectiveFrom ?? now,
      },
    });
    const after = priceView(row, row.effectiveFrom <= now);
    return { result: after, audit: { action: "price.create", entityType: "price", entityId: row.id, after } };
  });
}

/** Withdraw a price that has not taken effect yet; prices in effect or past are history and stay. */
export async function deleteScheduledPrice(id: string, actor: Actor, db: Db = getDb(), now = new Date()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const row = await tx.price.findUnique({ where: { id } });
    if (!row) throw notFound("price", id);
    if (row.effectiveFrom <= now)
      throw new ConfigError("conflict", "this price is already in effect; add a newer price instead of rewriting history");
    await tx.price.delete({ where: { id } });
    return {
      result: undefined,
      audit: { action: "price.delete", entityType: "price", entityId: id, before: priceView(row, false) },
    };
  });
}

// ─── budgets ───────────────────────────────────────────────────────────────────────────────────────────────────

export interface BudgetView {
  id: string;
  name: string;
  scope: "GLOBAL" | "TEAM" | "CONSUMER" | "KEY" | "ROUTE";
  teamId: string | null;
  consumerId: string | null;
  apiKeyId: string | null;
  routeId: string | null;
  metric: "TOKENS" | "COST";
  limit: string;
  currency: string;
  period: "DAY" | "WEEK" | "MONTH" | "TOTAL";
  timezone: string;
  action: "REJECT" | "DOWNGRADE";
  downgradeTargetId: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const budgetView = (b: Prisma.BudgetGetPayload<object>): BudgetView => ({ ...b, limit: b.limit.toString() });

export async function listBudgets(query?: ListQuery & { scope?: string }, db: Db = getDb()): Promise<Page<BudgetView>> {
  const a = listArgs(query, ["name", "scope", "period", "createdAt"], "name");
  const where: Prisma.BudgetWhereInput = {
    ...(a.q ? { name: contains(a.q) } : {}),
    ...(query?.scope ? { scope: query.scope as BudgetView["scope"] } : {}),
  };
  const [rows, total] = await Promise.all([
    db.budget.findMany({ where, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.budget.count({ where }),
  ]);
  return pageOf(rows.map(budgetView), total, a);
}

export async function getBudgetOrThrow(id: string, db: Db | Tx = getDb()): Promise<BudgetView> {
  const row = await db.budget.findUnique({ where: { id } });
  if (!row) throw notFound("budget", id);
  return budgetView(row);
}

const BUDGET_REFS = ["teamId", "consumerId", "apiKeyId", "routeId"] as const;

export async function createBudget(
  input: BudgetCreateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { id?: string } = {},
): Promise<BudgetView> {
  const b = parseInput(BudgetCreateSchema, input);
  return mutate(db, actor, async (tx) => {
    const row = await tx.budget.create({
      data: {
        id: opts.id ?? newId("budget"),
        name: b.name,
        scope: b.scope,
        ...Object.fromEntries(BUDGET_REFS.map((k) => [k, b[k] ?? null])),
        metric: b.metric,
        limit: b.limit,
        currency: b.currency,
        period: b.period,
        timezone: b.timezone,
        action: b.action,
        downgradeTargetId: b.downgradeTargetId ?? null,
        enabled: b.enabled,
      },
    });
    const after = budgetView(row);
    return { result: after, audit: { action: "budget.create", entityType: "budget", entityId: row.id, after } };
  });
}

export async function updateBudget(id: string, input: BudgetUpdateInput, actor: Actor, db: Db = getDb()): Promise<BudgetView> {
  const b = parseUpdate(BudgetUpdateSchema, input);
  return mutate(db, actor, async (tx) => {
    const before = await getBudgetOrThrow(id, tx);
    // validate the merged budget whole (scope and its reference, downgrade and its target)
    const { id: _id, createdAt: _c, updatedAt: _u, ...current } = before;
    parseInput(BudgetCreateSchema, { ...current, ...b });
    const row = await tx.budget.update({ where: { id }, data: b as Prisma.BudgetUpdateInput });
    const after = budgetView(row);
    return { result: after, audit: { action: "budget.update", entityType: "budget", entityId: id, before, after } };
  });
}

export async function deleteBudget(id: string, actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await getBudgetOrThrow(id, tx);
    await tx.budget.delete({ where: { id } });
    return { result: undefined, audit: { action: "budget.delete", entityType: "budget", entityId: id, before } };
  });
}

export async function setBudgetEnabled(id: string, enabled: boolean, actor: Actor, db: Db = getDb()) {
  return updateBudget(id, { enabled }, actor, db);
}
