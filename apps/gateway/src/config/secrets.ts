// Credential resolution for the snapshot builder: stored envelopes decrypted with the master key ring, and references
// resolved by the gateway (`env`, `file`, HashiCorp Vault KV v2 over its HTTP API). Every read is recorded (provider,
// source), so the app can count it (sluice_secret_reads_total) and audit it (one GATEWAY audit entry per snapshot
// load from PostgreSQL, see db-source.ts). Values never leave this module except as the provider's credentials.
//
// Vault: GET {address}/v1/{mount}/data/{path} with `X-Vault-Token` from the environment variable named `tokenEnv`;
// the secret's fields named like credentials (apiKey, accessKeyId, secretAccessKey, sessionToken, accessToken) are
// used. Answers are cached per secret for SLUICE_VAULT_CACHE_TTL_MS (default 5 min), so config reloads within the TTL
// do not call Vault again; a failure (unreachable, 403, missing secret) makes only that provider unavailable.

import { readFileSync } from "node:fs";
import { decryptSecret, type MasterKeyRing } from "@sluice/db/crypto";
import { type CredentialRef, ProviderCredentialsSchema } from "@sluice/db/schemas";
import { request } from "undici";
import type { ProviderCredentials } from "../providers/types.ts";

export type SecretSource = "encrypted" | "encrypted-previous" | "env" | "file" | "vault";

export interface SecretRead {
  providerId: string;
  provider: string;
  source: SecretSource;
}

export const DEFAULT_VAULT_CACHE_TTL_MS = 5 * 60_000;
const CREDENTIAL_FIELDS = Object.keys(ProviderCredentialsSchema.shape) as Array<keyof ProviderCredentials>;

type VaultRef = Extract<CredentialRef, { vault: unknown }>["vault"];

/** Vault KV v2 reads with a TTL cache (one per gateway process; tests make their own). */
export class VaultReader {
  private readonly cache = new Map<string, { credentials: ProviderCredentials; expiresAt: number }>();
  /** HTTP reads made (tests check the cache with it) */
  fetches = 0;

  constructor(private readonly opts: { timeoutMs?: number; now?: () => number } = {}) {}

  clear(): void {
    this.cache.clear();
  }

  /** The credentials, and whether they were read from Vault now (false: from the cache). */
  async read(
    ref: VaultRef,
    env: Record<string, string | undefined>,
    ttlMs: number,
  ): Promise<{ credentials: ProviderCredentials; fetched: boolean }> {
    const now = (this.opts.now ?? Date.now)();
    const address = ref.address.replace(/\/+$/, "");
    const mount = (ref.mount ?? "secret").replace(/^\/+|\/+$/g, "");
    const secretPath = ref.path.replace(/^\/+/, "");
    const tokenEnv = ref.tokenEnv ?? "VAULT_TOKEN";
    const key = `${address}|${mount}|${secretPath}|${tokenEnv}`;
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return { credentials: hit.credentials, fetched: false };
    const token = env[tokenEnv];
    if (!token) throw new Error(`Vault token variable ${tokenEnv} is not set`);
    const url = `${address}/v1/${mount}/data/${secretPath.split("/").map(encodeURIComponent).join("/")}`;
    this.fetches++;
    const timeout = this.opts.timeoutMs ?? 5000;
    let status: number;
    let text: string;
    try {
      const res = await request(url, {
        method: "GET",
        headers: { "x-vault-token": token, accept: "application/json" },
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const e = err as Error & { code?: string };
      throw new Error(`Vault at ${address} is unreachable (${e.code ?? e.name})`);
    }
    if (status !== 200) throw new Error(`Vault answered HTTP ${status} for ${mount}/${secretPath}`);
    let data: Record<string, unknown>;
    try {
      data = (JSON.parse(text) as { data?: { data?: Record<string, unknown> } }).data?.data ?? {};
    } catch {
      throw new Error(`Vault's answer for ${mount}/${secretPath} is not KV v2 JSON`);
    }
    const credentials: ProviderCredentials = {};
    for (const f of CREDENTIAL_FIELDS) if (typeof data[f] === "string" && data[f]) credentials[f] = data[f] as string;
    if (Object.keys(credentials).length === 0)
      throw new Error(`Vault secret ${mount}/${secretPath} has none of the fields ${CREDENTIAL_FIELDS.join(", ")}`);
    this.cache.set(key, { credentials, expiresAt: now + ttlMs });
    return { credentials, fetched: true };
  }
}

/** The process-wide Vault cache used when a build names none. */
export const defaultVaultReader = new VaultReader();

export interface ResolveContext {
  ring: MasterKeyRing | null;
  env: Record<string, string | undefined>;
  vault: VaultReader;
  /** every secret read is pushed here */
  reads: SecretRead[];
}

interface CredentialSource {
  id: string;
  name: string;
  credentialsEncrypted: string | null;
  credentialsRef: CredentialRef | null;
}

/** A provider's credentials; `error` (provider unavailable) instead of throwing. */
export async function resolveCredentials(
  p: CredentialSource,
  c: ResolveContext,
): Promise<{ credentials: ProviderCredentials; error: string | null }> {
  const read = (source: SecretSource) => c.reads.push({ providerId: p.id, provider: p.name, source });
  try {
    if (p.credentialsEncrypted) {
      if (!c.ring) return { credentials: {}, error: "credentials are encrypted but no SLUICE_MASTER_KEY is configured" };
      const json = JSON.parse(decryptSecret(p.credentialsEncrypted, c.ring));
      read("encrypted");
      return { credentials: ProviderCredentialsSchema.parse(json) as ProviderCredentials, error: null };
    }
    const ref = p.credentialsRef;
    if (!ref) return { credentials: {}, error: null };
    if ("env" in ref) {
      const credentials: ProviderCredentials = {};
      for (const [field, name] of Object.entries(ref.env)) {
        const value = c.env[name];
        if (!value) return { credentials: {}, error: `environment variable ${name} (credential ${field}) is not set` };
        credentials[field as keyof ProviderCredentials] = value;
      }
      read("env");
      return { credentials, error: null };
    }
    if ("file" in ref) {
      const text = readFileSync(ref.file, "utf8").trim();
      read("file");
      if (text.startsWith("{")) return { credentials: ProviderCredentialsSchema.parse(JSON.parse(text)), error: null };
      return { credentials: { apiKey: text }, error: null };
    }
    const ttl = Number(c.env.SLUICE_VAULT_CACHE_TTL_MS ?? DEFAULT_VAULT_CACHE_TTL_MS);
    const { credentials, fetched } = await c.vault.read(
      ref.vault,
      c.env,
      Number.isFinite(ttl) && ttl >= 0 ? ttl : DEFAULT_VAULT_CACHE_TTL_MS,
    );
    if (fetched) read("vault");
    return { credentials, error: null };
  } catch (err) {
    return { credentials: {}, error: `credentials could not be resolved: ${(err as Error).message}` };
  }
}

/** The previous credential of a rotation, while its grace period lasts (null otherwise or when unreadable). */
export function resolvePreviousCredentials(
  p: CredentialSource & { previousCredentialsEncrypted: string | null; previousCredentialsExpiresAt: string | null },
  c: ResolveContext,
  now: number,
): { credentials: ProviderCredentials; expiresAt: number } | null {
  if (!p.previousCredentialsEncrypted || !p.previousCredentialsExpiresAt || !c.ring) return null;
  const expiresAt = Date.parse(p.previousCredentialsExpiresAt);
  if (!(expiresAt > now)) return null;
  try {
    const json = JSON.parse(decryptSecret(p.previousCredentialsEncrypted, c.ring));
    c.reads.push({ providerId: p.id, provider: p.name, source: "encrypted-previous" });
    return { credentials: ProviderCredentialsSchema.parse(json) as ProviderCredentials, expiresAt };
  } catch {
    return null;
  }
}
