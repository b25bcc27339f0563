// DB-less mode: a declarative YAML file (providers, routes with targets, groups, consumers with key hashes or keyEnv
// references, policies, prices) turned into the same RawConfig the database gives, so one snapshot builder serves
// both. Entities refer to each other by name; ids default to "<prefix>_<name>". See apps/gateway/README.md.

import { readFile } from "node:fs/promises";
import { sha256Hex } from "@sluice/db/crypto";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { RawConfigInput } from "./snapshot.ts";

const Name = z.string().min(1);
const Json = z.record(z.string(), z.unknown());

const FileSchema = z
  .object({
    version: z.union([z.number().int().min(0), z.string().regex(/^\d+$/)]).default(1),
    providers: z
      .array(
        z
          .object({
            id: z.string().optional(),
            name: Name,
            kind: z.string(),
            baseUrl: z.string().nullable().optional(),
            settings: Json.optional(),
            /** { env: { apiKey: "OPENAI_API_KEY" } } | { file: "/run/secrets/openai" } */
            credentials: z.unknown().optional(),
            /** an envelope made with the master key (sluice admin export) */
            credentialsEncrypted: z.string().optional(),
            allowOverride: z.boolean().optional(),
            enabled: z.boolean().optional(),
          })
          .strict(),
      )
      .default([]),
    groups: z.array(z.object({ id: z.string().optional(), name: Name }).strict()).default([]),
    routes: z
      .array(
        z
          .object({
            id: z.string().optional(),
            name: Name,
            paths: z.array(z.string()).min(1),
            type: z.string().default("chat"),
            nativeFormat: z.string().optional(),
            balancer: Json.optional(),
            retry: Json.optional(),
            options: Json.optional(),
            enabled: z.boolean().optional(),
            /** consumer group names */
            allowedGroups: z.array(Name).default([]),
            targets: z
              .array(
                z
                  .object({
                    id: z.string().optional(),
                    /** provider name */
                    provider: Name,
                    model: Name,
                    alias: z.string().optional(),
                    weight: z.number().optional(),
                    priority: z.number().optional(),
                    description: z.string().optional(),
                    options: Json.optional(),
                    enabled: z.boolean().optional(),
                  })
                  .strict(),
              )
              .default([]),
          })
          .strict(),
      )
      .default([]),
    consumers: z
      .array(
        z
          .object({
            id: z.string().optional(),
            name: Name,
            team: z.string().optional(),
            metadata: Json.optional(),
            disabled: z.boolean().optional(),
            /** group names */
            groups: z.array(Name).default([]),
            keys: z
              .array(
                z
                  .object({
                    id: z.string().optional(),
                    /** sha256 hex of the key */
                    hash: z.string().optional(),
                    /** name of an environment variable holding the plaintext key (hashed at load) */
                    keyEnv: z.string().optional(),
                    allowedRoutes: z.array(z.string()).optional(),
                    allowedModels: z.array(z.string()).optional(),
                    expiresAt: z.string().optional(),
                    revoked: z.boolean().optional(),
                  })
                  .strict()
                  .refine((k) => (k.hash ? !k.keyEnv : !!k.keyEnv), { message: "give exactly one of hash or keyEnv" }),
              )
              .default([]),
          })
          .strict(),
      )
      .default([]),
    policies: z.array(Json).default([]),
    prices: z.array(Json).default([]),
    /** budgets (BudgetConfig); `route` / `consumer` may name the route / consumer instead of giving its id */
    budgets: z.array(Json).default([]),
    /** prompt templates: { name, messages: [{ role, content with {{variables}} }] } */
    promptTemplates: z
      .array(z.object({ name: Name, version: z.number().int().positive().optional(), messages: z.array(Json).min(1) }).strict())
      .default([]),
  })
  .strict();

export class ConfigFileError extends Error {
  override name = "ConfigFileError";
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, "-");

/** `${NAME}` in a provider's baseUrl is read from the environment (e.g. a mock's address in tests and benchmarks). */
function expandEnv(text: string, env: Record<string, string | undefined>, where: string): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_m, name: string) => {
    const value = env[name];
    if (value === undefined) throw new ConfigFileError(`${where}: environment variable ${name} is not set`);
    return value;
  });
}

/** YAML text -> RawConfig input (validated again, with the shared schemas, by buildSnapshot). */
export function parseConfigYaml(text: string, env: Record<string, string | undefined> = process.env): RawConfigInput {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigFileError(`config file is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = FileSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigFileError(`config file is invalid: ${lines.join("; ")}`);
  }
  const f = parsed.data;
  const providerIds = new Map(f.providers.map((p) => [p.name, p.id ?? `prov_${slug(p.name)}`]));
  const groupIds = new Map(f.groups.map((g) => [g.name, g.id ?? `grp_${slug(g.name)}`]));
  const groupId = (name: string, where: string) => {
    const id = groupIds.get(name);
    if (!id) throw new ConfigFileError(`${where}: unknown group "${name}"`);
    return id;
  };

  const apiKeys: NonNullable<RawConfigInput["apiKeys"]> = [];
  const consumers = f.consumers.map((c) => {
    const id = c.id ?? `cons_${slug(c.name)}`;
    c.keys.forEach((k, i) => {
      let hash = k.hash?.toLowerCase();
      if (k.keyEnv) {
        const plaintext = env[k.keyEnv];
        if (!plaintext) throw new ConfigFileError(`consumer ${c.name}: environment variable ${k.keyEnv} is not set`);
        hash = sha256Hex(plaintext);
      }
      apiKeys.push({
        id: k.id ?? `key_${slug(c.name)}_${i}`,
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

  return {
    version: String(f.version),
    providers: f.providers.map((p) => ({
      id: providerIds.get(p.name) as string,
      name: p.name,
      kind: p.kind as never,
      baseUrl: p.baseUrl ? expandEnv(p.baseUrl, env, `provider ${p.name} baseUrl`) : null,
      settings: p.settings ?? {},
      credentialsEncrypted: p.credentialsEncrypted ?? null,
      credentialsRef: (p.credentials ?? null) as never,
      allowOverride: p.allowOverride ?? false,
      enabled: p.enabled ?? true,
    })),
    groups: f.groups.map((g) => ({ id: groupIds.get(g.name) as string, name: g.name })),
    routes: f.routes.map((r) => {
      const id = r.id ?? `rt_${slug(r.name)}`;
      return {
        id,
        name: r.name,
        paths: r.paths,
        type: r.type as never,
        nativeFormat: (r.nativeFormat ?? null) as never,
        balancer: r.balancer ?? {},
        retry: r.retry ?? {},
        options: r.options ?? {},
        enabled: r.enabled ?? true,
        allowedGroupIds: r.allowedGroups.map((g) => groupId(g, `route ${r.name}`)),
        targets: r.targets.map((t, i) => {
          const providerId = providerIds.get(t.provider);
          if (!providerId) throw new ConfigFileError(`route ${r.name}: unknown provider "${t.provider}"`);
          return {
            id: t.id ?? `tgt_${slug(r.name)}_${i}`,
            providerId,
            model: t.model,
            alias: t.alias ?? null,
            weight: t.weight ?? 100,
            priority: t.priority ?? 0,
            description: t.description ?? null,
            options: t.options ?? {},
            position: i,
            enabled: t.enabled ?? true,
          };
        }),
      };
    }),
    consumers,
    apiKeys,
    policies: f.policies.map((p, i) => ({
      id: typeof p.id === "string" ? p.id : `pol_${i}`,
      ...p,
    })) as never,
    prices: f.prices.map((p) => ({ effectiveFrom: "1970-01-01T00:00:00.000Z", ...p })) as never,
    budgets: f.budgets.map((b, i) => {
      const { route, consumer, ...rest } = b as { route?: unknown; consumer?: unknown } & Record<string, unknown>;
      const routeId = typeof route === "string" ? (f.routes.find((r) => r.name === route)?.id ?? `rt_${slug(route)}`) : undefined;
      const consumerId =
        typeof consumer === "string" ? (f.consumers.find((c) => c.name === consumer)?.id ?? `cons_${slug(consumer)}`) : undefined;
      return {
        id: typeof b.id === "string" ? b.id : `bud_${i}`,
        ...rest,
        ...(routeId ? { routeId } : {}),
        ...(consumerId ? { consumerId } : {}),
      };
    }) as never,
    promptTemplates: f.promptTemplates.map((t) => ({
      name: t.name,
      version: t.version ?? 1,
      body: { messages: t.messages },
    })) as never,
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
