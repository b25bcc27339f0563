// Money without floating point. Prices come as decimals (Prisma Decimal / decimal strings, per 1M tokens) and budgets
// as decimals in a currency; the gateway counts money in integer NANO-UNITS: 1 nano = 1e-9 of the currency unit
// (for USD, a billionth of a dollar). Counters in Redis and in memory hold nano integers, so sums are exact.
//
// A request's cost is computed exactly with BigInt (tokens x price as a scaled integer) and rounded UP to a whole
// nano once per request (at most 1e-9 per request, in the budget's favour). Redis' Lua compares with doubles, exact
// up to 2^53 nano = 9,007,199 currency units per counter; budget limits above that are refused (see toNano).

/** Anything whose toString() is a decimal: string, number, Prisma.Decimal / decimal.js. */
export type DecimalLike = string | number | { toString(): string };

/** nano-units per currency unit */
export const NANO_PER_UNIT = 1_000_000_000n;
/** largest counter value Lua compares exactly */
export const MAX_NANO = BigInt(Number.MAX_SAFE_INTEGER);

interface Scaled {
  /** value = digits / 10^scale */
  digits: bigint;
  scale: number;
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses a decimal (also 1e-7 style, as decimal.js prints tiny values) exactly. */
export function parseDecimal(value: DecimalLike): Scaled {
  const text = typeof value === "string" ? value.trim() : value.toString();
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new Error(`not a decimal: ${text}`);
  const intPart = m[2] ?? "";
  const frac = m[3] ?? "";
  const exp = m[4] ? Number(m[4]) : 0;
  let digits = BigInt((intPart + frac).replace(/^0+(?=\d)/, "") || "0");
  let scale = frac.length - exp;
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  if (m[1] === "-") digits = -digits;
  return { digits, scale };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (a <= 0n) return -(-a / b);
  return (a + b - 1n) / b;
}

/** A decimal amount of currency -> nano-units, rounded down (a budget limit never grows by rounding). */
export function toNano(amount: DecimalLike): bigint {
  const { digits, scale } = parseDecimal(amount);
  const nano = scale <= 9 ? digits * 10n ** BigInt(9 - scale) : digits / 10n ** BigInt(scale - 9);
  if (nano > MAX_NANO) throw new RangeError(`amount ${amount.toString()} exceeds the largest supported budget`);
  return nano;
}

/** nano-units -> a decimal string of currency units ("0.000001234"), trailing zeros trimmed. */
export function formatNano(nano: bigint): string {
  const neg = nano < 0n;
  const abs = neg ? -nano : nano;
  const whole = abs / NANO_PER_UNIT;
  const frac = (abs % NANO_PER_UNIT).toString().padStart(9, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/** A price row as the snapshot holds it (per 1M tokens). */
export interface PriceInput {
  input: DecimalLike;
  output: DecimalLike;
  cached?: DecimalLike | null;
  reasoning?: DecimalLike | null;
  currency?: string;
}

/** Prices parsed once per snapshot: per-1M prices as scaled integers with a common scale. */
export interface CompiledPrice {
  input: bigint;
  output: bigint;
  cached: bigint;
  reasoning: bigint | null;
  /** all four are value x 10^scale */
  scale: number;
  currency: string;
}

export function compilePrice(p: PriceInput): CompiledPrice {
  const parts = [parseDecimal(p.input), parseDecimal(p.output), p.cached == null ? null : parseDecimal(p.cached)];
  const reasoning = p.reasoning == null ? null : parseDecimal(p.reasoning);
  const scale = Math.max(...parts.map((x) => x?.scale ?? 0), reasoning?.scale ?? 0);
  const at = (s: Scaled) => s.digits * 10n ** BigInt(scale - s.scale);
  const input = at(parts[0] as Scaled);
  return {
    input,
    output: at(parts[1] as Scaled),
    cached: parts[2] ? at(parts[2]) : input,
    reasoning: reasoning ? at(reasoning) : null,
    scale,
    currency: p.currency ?? "USD",
  };
}

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  /** prompt tokens served from the provider's prompt cache (part of promptTokens) */
  cachedTokens?: number;
  /** reasoning tokens (part of completionTokens, as OpenAI reports them) */
  reasoningTokens?: number;
}

/**
 * Exact cost in nano-units, rounded up once. Cached prompt tokens use the cached price (else the input price);
 * reasoning tokens use the reasoning price when the row has one (else the output price).
 */
export function costNano(t: TokenCounts, price: CompiledPrice): bigint {
  const cached = BigInt(Math.min(t.cachedTokens ?? 0, t.promptTokens));
  const prompt = BigInt(t.promptTokens) - cached;
  const reasoning = price.reasoning === null ? 0n : BigInt(Math.min(t.reasoningTokens ?? 0, t.completionTokens));
  const completion = BigInt(t.completionTokens) - reasoning;
  const total =
    prompt * price.input +
    cached * price.cached +
    completion * price.output +
    (price.reasoning === null ? 0n : reasoning * price.reasoning);
  // total = cost x 10^scale x 1e6 (per 1M); nano = cost x 1e9 -> divide by 10^scale x 1e6 / 1e9
  const exp = price.scale + 6 - 9;
  return exp >= 0 ? ceilDiv(total, 10n ** BigInt(exp)) : total * 10n ** BigInt(-exp);
}
