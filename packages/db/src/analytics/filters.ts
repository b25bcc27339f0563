// Inputs of the usage analytics queries (finance dashboards, developer portal, CSV export): zod schemas and their
// types. Browser-safe (zod only), so pages can parse URL search params with the same schemas the queries accept.
//
// Conventions shared by every analytics query:
// - a range is [from, to) as instants; buckets follow `timeZone` (IANA name), weeks start on Monday;
// - dimension filters are lists (any of); '' stands for "none" (an event without a team, key, ...), as in the rollups;
// - money is returned as exact decimal strings (scale 12), counts and tokens as numbers.

import { z } from "zod";

export const USAGE_DIMENSIONS = ["team", "consumer", "key", "model", "provider", "route"] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

export const USAGE_BUCKETS = ["hour", "day", "week", "month"] as const;
export type UsageBucket = (typeof USAGE_BUCKETS)[number];

const MAX_RANGE_DAYS = 800;
const MAX_HOURLY_RANGE_DAYS = 31;
const DAY_MS = 86_400_000;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().min(1).max(64).refine(isValidTimeZone, "unknown time zone");

const idList = z.array(z.string().max(200)).max(200);

/** The filter every dashboard view takes. */
export const usageFilterSchema = z
  .object({
    from: z.coerce.date(),
    to: z.coerce.date(),
    teamIds: idList.optional(),
    consumerIds: idList.optional(),
    apiKeyIds: idList.optional(),
    models: idList.optional(),
    providerIds: idList.optional(),
    routeIds: idList.optional(),
  })
  .refine((f) => f.to.getTime() > f.from.getTime(), { message: "`to` must be after `from`", path: ["to"] })
  .refine((f) => f.to.getTime() - f.from.getTime() <= MAX_RANGE_DAYS * DAY_MS, {
    message: `a range may span at most ${MAX_RANGE_DAYS} days`,
    path: ["to"],
  });
export type UsageFilter = z.infer<typeof usageFilterSchema>;

const bucketFields = {
  bucket: z.enum(USAGE_BUCKETS).default("day"),
  timeZone: timeZoneSchema.default("UTC"),
};

function hourlyRangeOk(v: { bucket: UsageBucket; filter: UsageFilter }): boolean {
  return v.bucket !== "hour" || v.filter.to.getTime() - v.filter.from.getTime() <= MAX_HOURLY_RANGE_DAYS * DAY_MS;
}
const hourlyRangeMessage = { message: `hour buckets span at most ${MAX_HOURLY_RANGE_DAYS} days`, path: ["bucket"] };

export const spendOverTimeInputSchema = z
  .object({
    filter: usageFilterSchema,
    ...bucketFields,
    groupBy: z.enum(USAGE_DIMENSIONS).nullable().default(null),
    /** with groupBy: the N groups with the highest cost keep their own series, the rest are summed into "__other__" */
    topGroups: z.number().int().min(1).max(1000).default(10),
  })
  .refine(hourlyRangeOk, hourlyRangeMessage);
export type SpendOverTimeInput = z.input<typeof spendOverTimeInputSchema>;

export const topSpendersInputSchema = z.object({
  filter: usageFilterSchema,
  by: z.enum(USAGE_DIMENSIONS).default("team"),
  limit: z.number().int().min(1).max(1000).default(10),
});
export type TopSpendersInput = z.input<typeof topSpendersInputSchema>;

export const cacheSavingsInputSchema = z
  .object({ filter: usageFilterSchema, ...bucketFields })
  .refine(hourlyRangeOk, hourlyRangeMessage);
export type CacheSavingsInput = z.input<typeof cacheSavingsInputSchema>;

export const chargebackInputSchema = z
  .object({ from: z.coerce.date(), to: z.coerce.date(), timeZone: timeZoneSchema.default("UTC") })
  .refine((f) => f.to.getTime() > f.from.getTime(), { message: "`to` must be after `from`", path: ["to"] })
  .refine((f) => f.to.getTime() - f.from.getTime() <= MAX_RANGE_DAYS * DAY_MS, {
    message: `a range may span at most ${MAX_RANGE_DAYS} days`,
    path: ["to"],
  });
export type ChargebackInput = z.input<typeof chargebackInputSchema>;

/** Raw events for drill-downs, newest first, keyset-paginated by (ts, id). */
export const usageEventsInputSchema = z.object({
  filter: usageFilterSchema,
  errorsOnly: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).default(100),
  /** the `nextCursor` of the previous page */
  cursor: z.string().max(200).nullable().default(null),
});
export type UsageEventsInput = z.input<typeof usageEventsInputSchema>;

// ─── developer portal ────────────────────────────────────────────────────────────────────────────────────────────

export const PORTAL_DIMENSIONS = ["consumer", "key", "model"] as const;
export type PortalDimension = (typeof PORTAL_DIMENSIONS)[number];

/** A portal filter: the owner is not part of it (it comes from the session), only narrowing inside the owner's data. */
export const portalFilterSchema = z
  .object({
    from: z.coerce.date(),
    to: z.coerce.date(),
    consumerIds: idList.optional(),
    apiKeyIds: idList.optional(),
    models: idList.optional(),
  })
  .refine((f) => f.to.getTime() > f.from.getTime(), { message: "`to` must be after `from`", path: ["to"] })
  .refine((f) => f.to.getTime() - f.from.getTime() <= MAX_RANGE_DAYS * DAY_MS, {
    message: `a range may span at most ${MAX_RANGE_DAYS} days`,
    path: ["to"],
  });
export type PortalFilter = z.infer<typeof portalFilterSchema>;

export const portalUsageOverTimeInputSchema = z
  .object({
    filter: portalFilterSchema,
    ...bucketFields,
    groupBy: z.enum(PORTAL_DIMENSIONS).nullable().default(null),
    topGroups: z.number().int().min(1).max(1000).default(10),
  })
  .refine((v) => hourlyRangeOk({ bucket: v.bucket, filter: v.filter }), hourlyRangeMessage);
export type PortalUsageOverTimeInput = z.input<typeof portalUsageOverTimeInputSchema>;

export const portalRecentErrorsInputSchema = z.object({
  consumerIds: idList.optional(),
  apiKeyIds: idList.optional(),
  /** how far back to look (default: 30 days) */
  since: z.coerce.date().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** the `nextCursor` of the previous page */
  cursor: z.string().max(200).nullable().default(null),
});
export type PortalRecentErrorsInput = z.input<typeof portalRecentErrorsInputSchema>;
