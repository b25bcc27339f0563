// Finance dashboards' small reads beside the analytics layer (server only): the choices of the filter bar. Spend,
// savings, budgets, chargeback and CSV come from ./usage.ts, ./usage-budgets.ts and ../analytics/csv.ts.

import { type Db, getDb } from "../client.ts";

export interface FilterOption {
  id: string;
  name: string;
}

export interface FinanceFilterOptions {
  teams: FilterOption[];
  consumers: FilterOption[];
  providers: FilterOption[];
  routes: FilterOption[];
  /** model names clients use (target aliases or upstream names) and models seen in usage rollups */
  models: string[];
}

/** What the finance filter bar offers (names only, never secrets; capped so a huge install stays fast). */
export async function listFinanceFilterOptions(db: Db = getDb(), opts: { limit?: number } = {}): Promise<FinanceFilterOptions> {
  const take = opts.limit ?? 500;
  const byName = { orderBy: { name: "asc" as const }, take, select: { id: true, name: true } };
  const [teams, consumers, providers, routes, targets, seen] = await Promise.all([
    db.team.findMany(byName),
    db.consumer.findMany(byName),
    db.provider.findMany(byName),
    db.route.findMany(byName),
    db.target.findMany({ select: { alias: true, model: true }, take: take * 4 }),
    db.$queryRaw<Array<{ model: string }>>`
      SELECT DISTINCT model FROM usage_rollups_daily WHERE model <> '' AND day >= now() - interval '400 days' LIMIT ${take}`,
  ]);
  const models = new Set<string>();
  for (const t of targets) models.add(t.alias ?? t.model);
  for (const s of seen) models.add(s.model);
  return { teams, consumers, providers, routes, models: [...models].sort().slice(0, take) };
}
