"use server";

import {
  addPromptTemplateVersion,
  createPromptTemplate,
  deletePromptTemplate,
  setPromptTemplateCurrentVersion,
  updatePromptTemplateDescription,
} from "@sluice/db";
import type { PromptTemplateCreateInput, PromptTemplateVersionCreateInput } from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";

const done = <T>(r: T) => {
  revalidatePath("/manager/templates", "layout");
  return r;
};

export async function createTemplateAction(input: PromptTemplateCreateInput) {
  return runAdminAction(async (actor) => done((await createPromptTemplate(input, actor)).id));
}
export async function addTemplateVersionAction(id: string, input: PromptTemplateVersionCreateInput) {
  return runAdminAction(async (actor) => done((await addPromptTemplateVersion(id, input, actor)).id));
}
export async function setTemplateVersionAction(id: string, version: number) {
  return runAdminAction(async (actor) => done((await setPromptTemplateCurrentVersion(id, version, actor)).currentVersion));
}
export async function updateTemplateDescriptionAction(id: string, description: string) {
  return runAdminAction(async (actor) => done((await updatePromptTemplateDescription(id, description, actor)).id));
}
export async function deleteTemplateAction(id: string) {
  return runAdminAction(async (actor) => done(await deletePromptTemplate(id, actor)));
}
