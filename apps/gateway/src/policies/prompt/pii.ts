// PII detection and redaction. Detectors (each a precompiled regex plus, where one exists, a checksum, so random
// digit runs are not flagged):
//   email        local@domain.tld
//   iban         2 letters, 2 check digits, 11-30 alphanumerics (spaces allowed in groups); ISO 13616 mod-97 == 1
//   card         13-19 digits, optional single spaces/dashes; Luhn-checked
//   national_id  US SSN (AAA-GG-SSSS with dashes; 000/666/9xx areas, 00 group and 0000 serial excluded),
//                UK National Insurance number (AB123456C), Spanish DNI / NIE (12345678Z, X1234567L; mod-23 letter),
//                French NIR / social security number (15 digits; key = 97 - n mod 97, Corsica 2A/2B handled)
//   ip           IPv4 (dotted quad, 0-255) and IPv6 (validated with node:net isIPv6)
//   phone        international (+CC ...) or national with separators / parentheses, 7-15 digits
// Earlier detectors win where matches overlap (a card number is not also a phone number).
//
// action "redact": every distinct value becomes a numbered placeholder (`<EMAIL_1>`, `<CARD_2>`, ...) before the
// request leaves; with restore on, placeholders in the answer are replaced by the original values again, also in
// streamed answers where a placeholder may arrive split across chunks (StreamRestorer holds back a possible
// placeholder prefix). action "reject": 400 `pii_detected` naming the kinds found (never the values).
// Scanned: the text of every message (all roles); tool-call arguments and images are not inspected.

import { isIPv4, isIPv6 } from "node:net";
import type { PiiConfig, PiiKind } from "@sluice/db/schemas";
import { PiiConfigSchema } from "@sluice/db/schemas";
import type { ChatChunk, ChatMessage, ChatResponse } from "../../providers/types.ts";
import { ALLOW, allow, type Decision, deny, type Policy, type PolicyContext, type StreamTransform } from "../types.ts";

export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
}

interface Detector {
  kind: PiiKind;
  re: RegExp;
  valid?: (m: string) => boolean;
}

const digitsOf = (s: string) => s.replace(/\D/g, "");

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function ibanValid(raw: string): boolean {
  const s = raw.replace(/ /g, "").toUpperCase();
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const v = code >= 65 ? String(code - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
export function spanishIdValid(s: string): boolean {
  const up = s.toUpperCase();
  const num = up.replace(/^X/, "0").replace(/^Y/, "1").replace(/^Z/, "2").slice(0, 8);
  return DNI_LETTERS[Number(num) % 23] === up[8];
}

export function frenchNirValid(s: string): boolean {
  const body = s.slice(0, 13).toUpperCase();
  const key = Number(s.slice(13));
  // Corsica: 2A -> 19, 2B -> 18 (subtract from the number, per INSEE)
  let n: bigint;
  if (body.includes("A")) n = BigInt(body.replace("A", "0")) - 1_000_000n;
  else if (body.includes("B")) n = BigInt(body.replace("B", "0")) - 2_000_000n;
  else n = BigInt(body);
  return 97n - (n % 97n) === BigInt(key);
}

// Word-ish boundaries that also work next to punctuation: not preceded/followed by a letter, digit or the joiners.
const DETECTORS: Detector[] = [
  { kind: "email", re: /(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g },
  { kind: "iban", re: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g, valid: ibanValid },
  { kind: "card", re: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, valid: (m) => luhnValid(digitsOf(m)) },
  { kind: "national_id", re: /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g },
  { kind: "national_id", re: /(?<![A-Za-z0-9])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g },
  { kind: "national_id", re: /(?<![A-Za-z0-9])[XYZ0-9]\d{7}[A-HJ-NP-TV-Z](?![A-Za-z0-9])/g, valid: spanishIdValid },
  {
    kind: "national_id",
    re: /(?<![A-Za-z0-9])[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![A-Za-z0-9])/g,
    valid: (m) => frenchNirValid(m.replace(/ /g, "")),
  },
  { kind: "ip", re: /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)/g, valid: (m) => isIPv4(m) },
  {
    kind: "ip",
    re: /(?<![\w:])(?:[0-9A-Fa-f]{1,4}:|:)(?::?[0-9A-Fa-f]{1,4}|:){1,7}(?:(?<=:)(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g,
    valid: (m) => isIPv6(m),
  },
  {
    kind: "phone",
    re: /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,8}){1,4}(?![\w])|(?<![\w+])\+\d{7,15}(?!\w)/g,
    valid: (m) => {
      const n = digitsOf(m).length;
      if (n < 7 || n > 15) return false;
      // ISO dates and times are not phone numbers
      return !/^\d{4}-\d{2}-\d{2}$/.test(m) && !/^\d{1,2}[.:]\d{2}$/.test(m);
    },
  },
];

/** All PII in `text` for the given kinds, non-overlapping, in order of position. */
export function detectPii(text: string, kinds: ReadonlySet<PiiKind>): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const d of DETECTORS) {
    if (!kinds.has(d.kind)) continue;
    d.re.lastIndex = 0;
    for (const m of text.matchAll(d.re)) {
      const value = m[0];
      const start = m.index;
      const end = start + value.length;
      if (d.valid && !d.valid(value)) continue;
      if (found.some((f) => start < f.end && end > f.start)) continue;
      found.push({ kind: d.kind, start, end, value });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** placeholder -> original value, and the reverse for numbering repeated values once. */
export interface Redactions {
  byPlaceholder: Map<string, string>;
  byValue: Map<string, string>;
  counters: Map<PiiKind, number>;
}

export function newRedactions(): Redactions {
  return { byPlaceholder: new Map(), byValue: new Map(), counters: new Map() };
}

export function redactText(text: string, kinds: ReadonlySet<PiiKind>, r: Redactions): string {
  const matches = detectPii(text, kinds);
  if (matches.length === 0) return text;
  let out = "";
  let last = 0;
  for (const m of matches) {
    let ph = r.byValue.get(m.value);
    if (!ph) {
      const n = (r.counters.get(m.kind) ?? 0) + 1;
      r.counters.set(m.kind, n);
      ph = `<${m.kind.toUpperCase()}_${n}>`;
      r.byValue.set(m.value, ph);
      r.byPlaceholder.set(ph, m.value);
    }
    out += text.slice(last, m.start) + ph;
    last = m.end;
  }
  return out + text.slice(last);
}

function redactMessage(m: ChatMessage, kinds: ReadonlySet<PiiKind>, r: Redactions): ChatMessage {
  const c = m.content;
  if (typeof c === "string") {
    const t = redactText(c, kinds, r);
    return t === c ? m : { ...m, content: t };
  }
  if (c === null) return m;
  let changed = false;
  const parts = c.map((p) => {
    if (p.type !== "text" || typeof p.text !== "string") return p;
    const t = redactText(p.text, kinds, r);
    if (t === p.text) return p;
    changed = true;
    return { ...p, text: t };
  });
  return changed ? { ...m, content: parts } : m;
}

const PLACEHOLDER = /<(?:EMAIL|PHONE|CARD|IBAN|NATIONAL_ID|IP)_\d+>/g;

export function restoreText(text: string, r: Redactions): string {
  if (r.byPlaceholder.size === 0 || !text.includes("<")) return text;
  return text.replace(PLACEHOLDER, (ph) => r.byPlaceholder.get(ph) ?? ph);
}

/** Could `s` (starting with "<") still grow into a placeholder? */
function placeholderPrefix(s: string): boolean {
  return /^<(?:[A-Z_]{0,11}|(?:EMAIL|PHONE|CARD|IBAN|NATIONAL_ID|IP)_\d{0,6})$/.test(s);
}

/** Restores placeholders in a stream of text pieces, holding back a trailing piece that may be a split placeholder. */
export class StreamRestorer {
  private held = "";
  constructor(private readonly r: Redactions) {}

  push(piece: string): string {
    const text = this.held + piece;
    this.held = "";
    const lt = text.lastIndexOf("<");
    if (lt !== -1 && placeholderPrefix(text.slice(lt))) {
      this.held = text.slice(lt);
      return restoreText(text.slice(0, lt), this.r);
    }
    return restoreText(text, this.r);
  }

  flush(): string {
    const t = restoreText(this.held, this.r);
    this.held = "";
    return t;
  }
}

export interface PreparedPii {
  kinds: ReadonlySet<PiiKind>;
  action: PiiConfig["action"];
  restore: boolean;
}

const STATE_KEY = "pii";

function redactionsOf(ctx: PolicyContext): Redactions | undefined {
  return ctx.state.get(STATE_KEY) as Redactions | undefined;
}

export const piiPolicy: Policy<PiiConfig, PreparedPii> = {
  type: "pii",
  phase: "prompt",
  configSchema: PiiConfigSchema,
  prepare: (c) => ({ kinds: new Set(c.detect), action: c.action, restore: c.restore }),
  decide(ctx, p): Decision {
    const req = ctx.request;
    if (!req || !Array.isArray(req.messages) || p.kinds.size === 0) return ALLOW;
    // a read-only request (native passthrough routes) cannot be redacted: redact acts as reject there
    if (p.action === "reject" || ctx.readOnly) {
      const kinds = new Set<PiiKind>();
      for (const m of req.messages) for (const hit of detectPii(textOf(m), p.kinds)) kinds.add(hit.kind);
      if (kinds.size === 0) return ALLOW;
      const why =
        p.action === "reject"
          ? ""
          : "; redaction is only available on OpenAI-compatible routes, not on native passthrough routes";
      return deny(400, "pii_detected", `The prompt contains personal data (${[...kinds].join(", ")}) and was refused${why}.`, {
        param: "messages",
      });
    }
    const r = redactionsOf(ctx) ?? newRedactions();
    const messages = req.messages.map((m) => redactMessage(m, p.kinds, r));
    if (r.byPlaceholder.size === 0) return ALLOW;
    ctx.state.set(STATE_KEY, r);
    return allow({ request: { ...req, messages } });
  },
  onResponse(ctx, p, response) {
    const r = redactionsOf(ctx);
    if (!p.restore || !r || r.byPlaceholder.size === 0) return null;
    const body = response.body as ChatResponse | null;
    if (!body || !Array.isArray(body.choices)) return null;
    return {
      body: {
        ...body,
        choices: body.choices.map((c) =>
          typeof c.message?.content === "string"
            ? { ...c, message: { ...c.message, content: restoreText(c.message.content, r) } }
            : c,
        ),
      },
    };
  },
  createStreamTransform(ctx, p): StreamTransform | null {
    const r = redactionsOf(ctx);
    if (!p.restore || !r || r.byPlaceholder.size === 0) return null;
    const perChoice = new Map<number, StreamRestorer>();
    return {
      chunk(chunk: ChatChunk): ChatChunk {
        let changed = false;
        const choices = chunk.choices.map((c) => {
          const content = c.delta.content;
          if (typeof content !== "string" || content === "") return c;
          let s = perChoice.get(c.index);
          if (!s) {
            s = new StreamRestorer(r);
            perChoice.set(c.index, s);
          }
          const out = s.push(content);
          if (out === content) return c;
          changed = true;
          return { ...c, delta: { ...c.delta, content: out } };
        });
        return changed ? { ...chunk, choices } : chunk;
      },
      end() {
        const out: Array<{ index: number; content: string }> = [];
        for (const [index, s] of perChoice) {
          const content = s.flush();
          if (content) out.push({ index, content });
        }
        return out;
      },
    };
  },
};

function textOf(m: ChatMessage): string {
  const c = m.content;
  if (typeof c === "string") return c;
  if (c === null) return "";
  return c.map((p) => (p.type === "text" && typeof p.text === "string" ? p.text : "")).join("\n");
}
