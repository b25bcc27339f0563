// Exact display of decimal strings (money from the usage tables): rounding happens on the digits, never through a
// float, so a total shown with 2 decimals is the exact total rounded half-up. Browser- and server-safe.

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Round a decimal string half-up (away from zero) to `places` decimals, returning a decimal string. */
export function roundDecimal(value: string, places: number): string {
  const m = DECIMAL.exec(value.trim());
  if (!m) return value;
  const [, sign = "", int = "0", frac = ""] = m;
  const padded = (frac + "0".repeat(places + 1)).slice(0, places + 1);
  let digits = BigInt(int + padded.slice(0, places));
  if (Number(padded[places] ?? "0") >= 5) digits += 1n;
  const text = digits.toString().padStart(places + 1, "0");
  const whole = text.slice(0, text.length - places) || "0";
  const out = places > 0 ? `${whole}.${text.slice(text.length - places)}` : whole;
  return sign && /[1-9]/.test(out) ? `-${out}` : out;
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1234.5678" -> "1,234.57" (places 2). */
export function formatDecimal(value: string | null | undefined, places = 2): string {
  if (value === null || value === undefined || value === "") return "—";
  const rounded = roundDecimal(value, places);
  const neg = rounded.startsWith("-");
  const [whole = "0", frac] = (neg ? rounded.slice(1) : rounded).split(".");
  return `${neg ? "-" : ""}${groupThousands(whole)}${frac !== undefined ? `.${frac}` : ""}`;
}

/**
 * Money for tables: 2 decimals, or up to 6 when the amount is below one cent but not zero (LLM calls are cheap).
 * The currency code follows the number ("0.000123 USD").
 */
export function formatMoney(value: string | null | undefined, currency = "USD"): string {
  if (value === null || value === undefined || value === "") return "—";
  const two = roundDecimal(value, 2);
  const places = /^-?0\.00$/.test(two) && /[1-9]/.test(value) ? 6 : 2;
  return `${formatDecimal(value, places)} ${currency}`;
}

/** Integers with thousands separators. */
export function formatCount(value: number | string | bigint | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const text = typeof value === "string" ? value : value.toString();
  return /^-?\d+$/.test(text) ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : text;
}

/** Exact sum of decimal strings (up to 12 decimals), without floats. */
export function sumDecimals(values: readonly string[], scale = 12): string {
  let total = 0n;
  for (const v of values) {
    const m = DECIMAL.exec(v.trim());
    if (!m) continue;
    const [, sign, int = "0", frac = ""] = m;
    const n = BigInt(int + frac.padEnd(scale, "0").slice(0, scale));
    total += sign ? -n : n;
  }
  const neg = total < 0n;
  const s = (neg ? -total : total).toString().padStart(scale + 1, "0");
  return `${neg ? "-" : ""}${s.slice(0, -scale)}.${s.slice(-scale)}`;
}
