// /api/admin/v1/config/{export,diff,apply}: the declarative YAML document over HTTP (the CLI's backend).

import { applyDeclarativeConfig, declarativeToYaml, diffDeclarativeConfig, exportDeclarativeConfig } from "@sluice/db";
import { BodyError, json, withAdminToken } from "./http";

const MAX_BODY = 10 * 1024 * 1024;

async function documentText(request: Request): Promise<string> {
  const text = await request.text();
  if (text.length > MAX_BODY) throw new BodyError("the document is larger than 10 MB");
  if (!text.trim()) throw new BodyError("send the configuration document (YAML or JSON) as the request body");
  return text;
}

export function exportConfig(request: Request): Promise<Response> {
  return withAdminToken(request, "config:read", async () => {
    const doc = await exportDeclarativeConfig();
    const format = new URL(request.url).searchParams.get("format");
    if (format === "json") return json(doc);
    return new Response(declarativeToYaml(doc), {
      headers: { "content-type": "application/yaml; charset=utf-8", "cache-control": "no-store" },
    });
  });
}

export function diffConfig(request: Request): Promise<Response> {
  return withAdminToken(request, "config:read", async () => json(await diffDeclarativeConfig(await documentText(request))));
}

export function applyConfig(request: Request): Promise<Response> {
  const dryRun = ["1", "true"].includes(new URL(request.url).searchParams.get("dryRun") ?? "");
  if (dryRun) return diffConfig(request);
  return withAdminToken(request, "config:write", async ({ actor }) =>
    json(await applyDeclarativeConfig(await documentText(request), actor)),
  );
}
