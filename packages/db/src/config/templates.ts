// Prompt templates: named, versioned bodies with {{variable}} placeholders. A new body is a new version (history is
// kept); `currentVersion` says which one the gateway serves, so rolling back is choosing an older version.

import { type Db, getDb } from "../client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { newId } from "../ids.ts";
import {
  type ListQuery,
  type Page,
  type PromptTemplateCreateInput,
  PromptTemplateCreateSchema,
  type PromptTemplateVersionCreateInput,
  PromptTemplateVersionCreateSchema,
  templateVariables,
} from "../schemas/config.ts";
import type { PromptTemplateBody } from "../schemas/policy.ts";
import { type Actor, ConfigError, contains, listArgs, mutate, notFound, pageOf, parseInput, type Tx } from "./common.ts";

export interface TemplateVersionView {
  id: string;
  version: number;
  body: PromptTemplateBody;
  variables: string[];
  createdById: string | null;
  createdAt: Date;
}

export interface TemplateView {
  id: string;
  name: string;
  description: string | null;
  currentVersion: number;
  /** the body of the current version */
  current: TemplateVersionView | null;
  versionCount: number;
  createdAt: Date;
  updatedAt: Date;
}

const include = {
  versions: { orderBy: { version: "desc" } },
} satisfies Prisma.PromptTemplateInclude;
type TemplateRow = Prisma.PromptTemplateGetPayload<{ include: typeof include }>;

const versionView = (v: TemplateRow["versions"][number]): TemplateVersionView => ({
  id: v.id,
  version: v.version,
  body: v.body as PromptTemplateBody,
  variables: v.variables,
  createdById: v.createdById,
  createdAt: v.createdAt,
});

function view(t: TemplateRow): TemplateView {
  const current = t.versions.find((v) => v.version === t.currentVersion);
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    currentVersion: t.currentVersion,
    current: current ? versionView(current) : null,
    versionCount: t.versions.length,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export async function listPromptTemplates(query?: ListQuery, db: Db = getDb()): Promise<Page<TemplateView>> {
  const a = listArgs(query, ["name", "createdAt", "updatedAt"], "name");
  const where: Prisma.PromptTemplateWhereInput = a.q ? { OR: [{ name: contains(a.q) }, { description: contains(a.q) }] } : {};
  const [rows, total] = await Promise.all([
    db.promptTemplate.findMany({ where, include, orderBy: { [a.sort]: a.order }, skip: a.skip, take: a.take }),
    db.promptTemplate.count({ where }),
  ]);
  return pageOf(rows.map(view), total, a);
}

export async function getPromptTemplateOrThrow(id: string, db: Db | Tx = getDb()): Promise<TemplateView> {
  const row = await db.promptTemplate.findUnique({ where: { id }, include });
  if (!row) throw notFound("prompt template", id);
  return view(row);
}

/** Every version, newest first. */
export async function listPromptTemplateVersions(id: string, db: Db = getDb()): Promise<TemplateVersionView[]> {
  const row = await db.promptTemplate.findUnique({ where: { id }, include });
  if (!row) throw notFound("prompt template", id);
  return row.versions.map(versionView);
}

const createdBy = (actor: Actor) => (actor.type === "USER" ? (actor.id ?? null) : null);

export async function createPromptTemplate(
  input: PromptTemplateCreateInput,
  actor: Actor,
  db: Db = getDb(),
  opts: { id?: string } = {},
): Promise<TemplateView> {
  const t = parseInput(PromptTemplateCreateSchema, input);
  return mutate(db, actor, async (tx) => {
    const id = opts.id ?? newId("template");
    await tx.promptTemplate.create({
      data: {
        id,
        name: t.name,
        description: t.description ?? null,
        currentVersion: 1,
        versions: {
          create: {
            id: newId("templateVersion"),
            version: 1,
            body: t.body,
            variables: templateVariables(t.body),
            createdById: createdBy(actor),
          },
        },
      },
    });
    const after = await getPromptTemplateOrThrow(id, tx);
    return { result: after, audit: { action: "template.create", entityType: "template", entityId: id, after } };
  });
}

/** A new version that becomes current. */
export async function addPromptTemplateVersion(
  id: string,
  input: PromptTemplateVersionCreateInput,
  actor: Actor,
  db: Db = getDb(),
): Promise<TemplateView> {
  const v = parseInput(PromptTemplateVersionCreateSchema, input);
  return mutate(db, actor, async (tx) => {
    const before = await getPromptTemplateOrThrow(id, tx);
    const last = await tx.promptTemplateVersion.aggregate({ where: { templateId: id }, _max: { version: true } });
    const version = (last._max.version ?? 0) + 1;
    await tx.promptTemplateVersion.create({
      data: {
        id: newId("templateVersion"),
        templateId: id,
        version,
        body: v.body,
        variables: templateVariables(v.body),
        createdById: createdBy(actor),
      },
    });
    await tx.promptTemplate.update({ where: { id }, data: { currentVersion: version } });
    const after = await getPromptTemplateOrThrow(id, tx);
    return { result: after, audit: { action: "template.add_version", entityType: "template", entityId: id, before, after } };
  });
}

export async function updatePromptTemplateDescription(
  id: string,
  description: string | null,
  actor: Actor,
  db: Db = getDb(),
): Promise<TemplateView> {
  return mutate(db, actor, async (tx) => {
    const before = await getPromptTemplateOrThrow(id, tx);
    await tx.promptTemplate.update({ where: { id }, data: { description: description?.trim() || null } });
    const after = await getPromptTemplateOrThrow(id, tx);
    return { result: after, audit: { action: "template.update", entityType: "template", entityId: id, before, after } };
  });
}

/** Serve an existing version again (rollback or forward). */
export async function setPromptTemplateCurrentVersion(
  id: string,
  version: number,
  actor: Actor,
  db: Db = getDb(),
): Promise<TemplateView> {
  return mutate(db, actor, async (tx) => {
    const before = await getPromptTemplateOrThrow(id, tx);
    const exists = await tx.promptTemplateVersion.findUnique({ where: { templateId_version: { templateId: id, version } } });
    if (!exists) throw new ConfigError("invalid", `version ${version} does not exist`, { version: ["unknown version"] });
    await tx.promptTemplate.update({ where: { id }, data: { currentVersion: version } });
    const after = await getPromptTemplateOrThrow(id, tx);
    return {
      result: after,
      audit: { action: "template.set_current_version", entityType: "template", entityId: id, before, after },
    };
  });
}

export async function deletePromptTemplate(id: string, actor: Actor, db: Db = getDb()): Promise<void> {
  await mutate(db, actor, async (tx) => {
    const before = await getPromptTemplateOrThrow(id, tx);
    await tx.promptTemplate.delete({ where: { id } });
    return { result: undefined, audit: { action: "template.delete", entityType: "template", entityId: id, before } };
  });
}
