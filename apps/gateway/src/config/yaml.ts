// DB-less mode: the declarative YAML document (packages/db's DeclarativeConfigSchema, the format the Admin API
// exports and imports: `pnpm sluice config export`) turned into the same RawConfig the database gives, so one snapshot
// builder serves both. Entities refer to each other by name; ids default to "<prefix>_<name>" (declarativeId), the
// same ids `sluice config apply` gives. Teams, descriptions and key names are accepted and not needed here; a
// template serves its current version. See apps/gateway/README.md.

import { readFile } from "node:fs/promises";
import { sha256Hex } from "@sluice/db/crypto";
import { DeclarativeConfigSchema, declarativeId } from "@sluice/db/schemas";
import { parse as parseYaml } from "yaml";
import type { RawConfigInput } from "./snapshot.ts";

export class ConfigFileError extends Error {
  override name = "ConfigFileError";
}

/** `${NAME}` in a provider's baseUrl is read from the environment (e.g. a mock's address in tests and benchmarks). */
function expandEnv(text: string, env: Record<string, string | undefined>, where: string): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_m, name: string) => {
    const value = env[name];
    if (value === undefined) throw new ConfigFileError(`${where}: environment variable ${name} is not set`);
    return value;
  });
}

/** YAML text (or an already parsed document) -> RawConfig input (validated again by buildSnapshot). */
export function parseConfigYaml(text: string | object, env: Record<string, string | undefined> = process.env): RawConfigInput {
  let doc: unknown = text;
  if (typeof text === "string") {
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw new ConfigFileError(`config file is not valid YAML: ${(err as Error).message}`);
    }
  }
  const parsed = DeclarativeConfigSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
    throw new ConfigFileError(`config file is invalid: ${lines.join("; ")}`);
  }
  const f = parsed.data;
  const providerIds = new Map(f.providers.map((p) => [p.name, p.id ?? declarativeId("prov", p.name)]));
  const groupIds = new Map(f.groups.map((g) => [g.name, g.id ?? declarativeId("grp", g.name)]));
  const groupId = (name: string, where: string) => {
    const id = groupIds.get(name);
    if (!id) throw new ConfigFileError(`${where}: unknown group "${name}"`);
    return id;
  };

  const apiKeys: NonNullable<RawConfigInput["apiKeys"]> = [];
  const consumers = f.consumers.map((c) => {
    const id = c.id ?? declarativeId("cons", c.name);
    c.keys.forEach((k, i) => {
      let hash = k.hash?.toLowerCase();
      if (k.keyEnv) {
        const plaintext = env[k.keyEnv];
        if (!plaintext) throw new ConfigFileError(`consumer ${c.name}: environment variable ${k.keyEnv} is not set`);
        hash = sha256Hex(plaintext);
      }
      apiKeys.push({
        id: k.id ?? declarativeId("key", c.name, i),
        consumerId: id,
        hash: hash as string,
        allowedRoutes: k.allowedRoutes ?? [],
        allowedModels: k.allowedModels ?? [],
        status: k.revoked ? "REVOKED" : "ACTIVE",
        expiresAt: k.expiresAt ?? null,
      });
    });
    return {
      id,
      name: c.name,
      teamId: c.team ?? null,
      metadata: c.metadata ?? {},
      disabled: c.disabled ?? false,
      groupIds: c.groups.map((g) => groupId(g, `consumer ${c.name}`)),
    };
  });

  const promptTemplates = f.templates.map((t) => {
    const current = t.currentVersion ?? Math.max(...t.versions.map((v) => v.version));
    const version = t.versions.find((v) => v.version === current);
    if (!version) throw new ConfigFileError(`template ${t.name}: currentVersion ${current} is not listed`);
    return { name: t.name, version: version.version, body: version.body };
  });

  return {
    version: String(f.version),
    providers: f.providers.map((p) => ({
      id: providerIds.get(p.name) as string,
      name: p.name,
      kind: p.kind,
      baseUrl: p.baseUrl ? expandEnv(p.baseUrl, env, `provider ${p.name} baseUrl`) : null,
      settings: (p.settings ?? {}) as never,
      credentialsEncrypted: p.credentialsEncrypted ?? null,
      credentialsRef: p.credentials ?? null,
      allowOverride: p.allowOverride ?? false,
      enabled: p.enabled ?? true,
    })),
    groups: f.groups.map((g) => ({ id: groupIds.get(g.name) as string, name: g.name })),
    routes: f.routes.map((r) => ({
      id: r.id ?? declarativeId("rt", r.name),
      name: r.name,
      paths: r.paths,
      type: r.type,
      nativeFormat: (r.nativeFormat ?? null) as never,
      balancer: (r.balancer ?? {}) as never,
      retry: (r.retry ?? {}) as never,
      options: (r.options ?? {}) as never,
      enabled: r.enabled ?? true,
      allowedGroupIds: r.allowedGroups.map((g) => groupId(g, `route ${r.name}`)),
      targets: r.targets.map((t, i) => {
        const providerId = providerIds.get(t.provider);
        if (!providerId) throw new ConfigFileError(`route ${r.name}: unknown provider "${t.provider}"`);
        return {
          id: t.id ?? declarativeId("tgt", r.name, i),
          providerId,
          model: t.model,
          alias: t.alias ?? null,
          weight: t.weight ?? 100,
          priority: t.priority ?? 0,
          description: t.description ?? null,
          options: (t.options ?? {}) as never,
          position: i,
          enabled: t.enabled ?? true,
        };
      }),
    })),
    consumers,
    apiKeys,
    policies: f.policies.map((p, i) => ({
      id: p.id ?? declarativeId("pol", i),
      name: p.name,
      type: p.type,
      scope: p.scope,
      routeId: p.routeId ?? null,
      groupId: p.groupId ?? null,
      consumerId: p.consumerId ?? null,
      apiKeyId: p.apiKeyId ?? null,
      teamId: p.teamId ?? null,
      position: p.position ?? 0,
      enabled: p.enabled ?? true,
      config: p.config ?? {},
    })),
    prices: f.prices.map(({ contextWindow: _cw, ...p }) => ({
      ...p,
      cachedInputPer1M: p.cachedInputPer1M ?? null,
      reasoningPer1M: p.reasoningPer1M ?? null,
      effectiveFrom: p.effectiveFrom ?? "1970-01-01T00:00:00.000Z",
    })),
    budgets: f.budgets.map((b) => {
      const given = b as Record<string, unknown>;
      return { ...given, id: typeof given.id === "string" ? given.id : declarativeId("bud", String(given.name)) };
    }) as never,
    promptTemplates,
  };
}

export async function loadConfigFile(
  file: string,
  env: Record<string, string | undefined> = process.env,
): Promise<RawConfigInput> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigFileError(
      `cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseConfigYaml(text, env);
}
