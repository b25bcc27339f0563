// The OpenAPI 3.1 document of the Admin API, generated from the resource table and the shared zod schemas (zod's
// toJSONSchema, JSON Schema 2020-12, which OpenAPI 3.1 uses as is).

import { ListQuerySchema } from "@sluice/db/schemas";
import { z } from "zod";
import { RESOURCES } from "./registry";

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType): Json {
  const out = z.toJSONSchema(s, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Json;
  delete out.$schema;
  return out;
}

const errorRef = { $ref: "#/components/schemas/Error" };
const errorResponses = (codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description:
          { 400: "Invalid input", 401: "Missing or invalid token", 403: "Missing scope", 404: "Not found", 409: "Conflict" }[c] ??
          "Error",
        content: { "application/json": { schema: errorRef } },
      },
    ]),
  );

const ok = (description: string, schema: Json = { type: "object" }) => ({
  description,
  content: { "application/json": { schema } },
});

function queryParameters(filters?: z.ZodObject): Json[] {
  const schema = filters ? ListQuerySchema.extend(filters.shape) : ListQuerySchema;
  const js = schemaOf(schema) as { properties?: Record<string, Json> };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({ name, in: "query", required: false, schema: s }));
}

const pageSchema = {
  type: "object",
  required: ["items", "total", "page", "pageSize"],
  properties: {
    items: { type: "array", items: { type: "object" } },
    total: { type: "integer" },
    page: { type: "integer" },
    pageSize: { type: "integer" },
  },
};

export function buildOpenApi(serverUrl = "/api/admin/v1"): Json {
  const paths: Record<string, Json> = {};
  const schemas: Record<string, Json> = {
    Error: {
      type: "object",
      required: ["error"],
      properties: {
        error: {
          type: "object",
          required: ["message", "type", "code"],
          properties: {
            message: { type: "string" },
            type: { type: "string" },
            code: { type: "string" },
            param: { type: ["string", "null"] },
            fields: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
          },
        },
      },
    },
  };
  const ref = (name: string, s: z.ZodType) => {
    schemas[name] = schemaOf(s);
    return { $ref: `#/components/schemas/${name}` };
  };
  const pascal = (s: string) => s.replace(/(^|[-\s])(\w)/g, (_m, _p, c: string) => c.toUpperCase());
  const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };

  for (const r of RESOURCES) {
    const tag = r.name;
    const base = `/${r.name}`;
    const collection: Json = {};
    if (r.list)
      collection.get = {
        tags: [tag],
        summary: `List ${r.entity}s`,
        description: `${r.description} Scope: ${r.read}.`,
        parameters: queryParameters(r.filters),
        responses: { "200": ok("A page", pageSchema), ...errorResponses([400, 401, 403]) },
      };
    if (r.create)
      collection.post = {
        tags: [tag],
        summary: r.create.summary ?? `Create a ${r.entity}`,
        description: `Scope: ${r.write}.`,
        requestBody: {
          required: true,
          content: { "application/json": { schema: ref(`${pascal(r.entity)}Create`, r.create.body) } },
        },
        responses: { "201": ok("Created"), ...errorResponses([400, 401, 403, 409]) },
      };
    if (Object.keys(collection).length) paths[base] = collection;

    const one: Json = {};
    if (r.get)
      one.get = {
        tags: [tag],
        summary: `Get a ${r.entity}`,
        parameters: [idParam],
        responses: { "200": ok("The entity"), ...errorResponses([401, 403, 404]) },
      };
    if (r.update)
      one.patch = {
        tags: [tag],
        summary: `Update a ${r.entity} (omitted fields keep their value)`,
        parameters: [idParam],
        requestBody: {
          required: true,
          content: { "application/json": { schema: ref(`${pascal(r.entity)}Update`, r.update.body) } },
        },
        responses: { "200": ok("Updated"), ...errorResponses([400, 401, 403, 404, 409]) },
      };
    if (r.remove)
      one.delete = {
        tags: [tag],
        summary: r.remove.summary ?? `Delete a ${r.entity}`,
        parameters: [idParam],
        responses: { "200": ok("Done"), "204": { description: "Deleted" }, ...errorResponses([401, 403, 404, 409]) },
      };
    if (Object.keys(one).length) paths[`${base}/{id}`] = one;

    for (const [name, a] of Object.entries(r.actions ?? {})) {
      paths[`${base}/{id}/${name}`] = {
        [a.method.toLowerCase()]: {
          tags: [tag],
          summary: a.summary,
          parameters: [idParam],
          ...(a.body
            ? {
                requestBody: {
                  required: true,
                  content: { "application/json": { schema: ref(`${pascal(r.entity)}${pascal(name)}`, a.body) } },
                },
              }
            : {}),
          responses: { [String(a.status ?? 200)]: ok("Done"), ...errorResponses([400, 401, 403, 404, 409]) },
        },
      };
    }
    for (const [name, a] of Object.entries(r.collectionActions ?? {})) {
      paths[`${base}/-/${name}`] = {
        [a.method.toLowerCase()]: {
          tags: [tag],
          summary: a.summary,
          ...(a.body
            ? {
                requestBody: {
                  required: true,
                  content: { "application/json": { schema: ref(`${pascal(r.entity)}${pascal(name)}`, a.body) } },
                },
              }
            : {}),
          responses: { "200": ok("Done"), ...errorResponses([400, 401, 403]) },
        },
      };
    }
  }

  Object.assign(paths, configPaths());

  return {
    openapi: "3.1.0",
    info: {
      title: "Sluice Admin API",
      version: "1",
      description:
        "Configure Sluice as code. Authenticate with an admin API token (Authorization: Bearer sat-sluice-…), created on the manager's Admin API tokens page. Errors use the OpenAI error shape.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } }, schemas },
    paths,
  };
}

function configPaths(): Record<string, Json> {
  const yamlBody = {
    required: true,
    content: { "application/yaml": { schema: { type: "string" } }, "application/json": { schema: { type: "object" } } },
  };
  return {
    "/config/export": {
      get: {
        tags: ["config"],
        summary: "Export the whole configuration as declarative YAML (secrets as env references, never plaintext)",
        parameters: [{ name: "format", in: "query", schema: { type: "string", enum: ["yaml", "json"] } }],
        responses: {
          "200": { description: "The configuration", content: { "application/yaml": { schema: { type: "string" } } } },
          ...errorResponses([401, 403]),
        },
      },
    },
    "/config/diff": {
      post: {
        tags: ["config"],
        summary: "Dry run: what applying this configuration would create, update and delete",
        requestBody: yamlBody,
        responses: { "200": ok("The plan"), ...errorResponses([400, 401, 403]) },
      },
    },
    "/config/apply": {
      post: {
        tags: ["config"],
        summary: "Apply a declarative configuration in one transaction (one config version bump)",
        requestBody: yamlBody,
        responses: { "200": ok("The applied plan and the new config version"), ...errorResponses([400, 401, 403, 409]) },
      },
    },
  };
}
