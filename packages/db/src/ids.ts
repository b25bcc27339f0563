// Typed ids: a short type prefix + 20 random base62 characters (≈119 bits), e.g. "rt_4f8Kq...". Browser-safe.

const PREFIXES = {
  user: "usr",
  account: "acc",
  invite: "inv",
  team: "team",
  consumer: "cons",
  group: "grp",
  key: "key",
  adminToken: "adm",
  provider: "prov",
  route: "rt",
  target: "tgt",
  policy: "pol",
  template: "tpl",
  templateVersion: "tplv",
  budget: "bud",
  price: "price",
  usage: "use",
  request: "req",
} as const;

export type IdKind = keyof typeof PREFIXES;
export type Id<K extends IdKind> = `${(typeof PREFIXES)[K]}_${string}`;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function randomBase62(length: number): string {
  const bytes = new Uint8Array(length * 2);
  globalThis.crypto.getRandomValues(bytes);
  let out = "";
  // rejection sampling keeps the distribution uniform (248 = 62 * 4)
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i] as number;
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out.length === length ? out : out + randomBase62(length - out.length);
}

export function newId<K extends IdKind>(kind: K): Id<K> {
  return `${PREFIXES[kind]}_${randomBase62(20)}` as Id<K>;
}

export function idPrefix(kind: IdKind): string {
  return PREFIXES[kind];
}

export function isId<K extends IdKind>(kind: K, value: unknown): value is Id<K> {
  return typeof value === "string" && value.startsWith(`${PREFIXES[kind]}_`) && value.length > PREFIXES[kind].length + 1;
}
