// Generic handlers behind /api/admin/v1/{resource}[/{id}[/{action}]], driven by the resource table.

import { ListQuerySchema } from "@sluice/db/schemas";
import { z } from "zod";
import { apiError, json, readJson, withAdminToken } from "./http";
import { findResource, type ResourceDef } from "./registry";

const notFound = (what: string) => apiError(404, `Unknown resource ${what}.`, "unknown_resource");
const notAllowed = (method: string, path: string) =>
  apiError(405, `${method} is not supported on ${path}.`, "method_not_allowed");

function queryOf(
  request: Request,
  r: ResourceDef,
): { ok: true; value: Record<string, unknown> } | { ok: false; response: Response } {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const schema = r.filters ? ListQuerySchema.extend(r.filters.shape) : ListQuerySchema;
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      response: apiError(400, `${issue?.path.join(".")}: ${issue?.message}`, "invalid_query", {
        param: issue?.path.join(".") ?? null,
      }),
    };
  }
  return { ok: true, value: parsed.data };
}

export async function collection(request: Request, name: string): Promise<Response> {
  const r = findResource(name);
  if (!r) return notFound(name);
  if (request.method === "GET") {
    if (!r.list) return notAllowed("GET", `/${name}`);
    const list = r.list;
    return withAdminToken(request, r.read, async () => {
      const q = queryOf(request, r);
      if (!q.ok) return q.response;
      return json(await list(q.value));
    });
  }
  if (request.method === "POST") {
    if (!r.create) return notAllowed("POST", `/${name}`);
    const create = r.create;
    return withAdminToken(request, r.write, async ({ actor }) => json(await create.run(await readJson(request), actor), 201));
  }
  return notAllowed(request.method, `/${name}`);
}

export async function item(request: Request, name: string, id: string): Promise<Response> {
  const r = findResource(name);
  if (!r) return notFound(name);
  switch (request.method) {
    case "GET": {
      if (!r.get) return notAllowed("GET", `/${name}/{id}`);
      const get = r.get;
      return withAdminToken(request, r.read, async () => json(await get(id)));
    }
    case "PATCH": {
      if (!r.update) return notAllowed("PATCH", `/${name}/{id}`);
      const update = r.update;
      return withAdminToken(request, r.write, async ({ actor }) => json(await update.run(id, await readJson(request), actor)));
    }
    case "DELETE": {
      if (!r.remove) return notAllowed("DELETE", `/${name}/{id}`);
      const remove = r.remove;
      return withAdminToken(request, r.write, async ({ actor }) => {
        const result = await remove.run(id, actor);
        return result === undefined ? new Response(null, { status: 204 }) : json(result);
      });
    }
    default:
      return notAllowed(request.method, `/${name}/{id}`);
  }
}

export async function action(request: Request, name: string, id: string, actionName: string): Promise<Response> {
  const r = findResource(name);
  if (!r) return notFound(name);
  if (id === "-") {
    const a = r.collectionActions?.[actionName];
    if (!a || a.method !== request.method) return notAllowed(request.method, `/${name}/-/${actionName}`);
    return withAdminToken(request, a.scope ?? r.write, async ({ actor }) =>
      json(await a.run(request.method === "POST" ? await readJson(request) : {}, actor), a.status ?? 200),
    );
  }
  const a = r.actions?.[actionName];
  if (!a || a.method !== request.method) return notAllowed(request.method, `/${name}/{id}/${actionName}`);
  return withAdminToken(request, a.scope ?? r.write, async ({ actor }) =>
    json(await a.run(id, request.method === "POST" ? await readJson(request) : {}, actor), a.status ?? 200),
  );
}

export const IdSchema = z.string().min(1).max(200);
