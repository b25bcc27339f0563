"use server";

import {
  createConsumer,
  createGroup,
  createTeam,
  deleteConsumer,
  deleteGroup,
  deleteTeam,
  updateConsumer,
  updateGroup,
  updateTeam,
} from "@sluice/db";
import type {
  ConsumerCreateInput,
  ConsumerUpdateInput,
  GroupCreateInput,
  GroupUpdateInput,
  TeamCreateInput,
  TeamUpdateInput,
} from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";

const done = <T>(r: T) => {
  revalidatePath("/manager", "layout");
  return r;
};

export async function createConsumerAction(input: ConsumerCreateInput) {
  return runAdminAction(async (actor) => done((await createConsumer(input, actor)).id));
}
export async function updateConsumerAction(id: string, input: ConsumerUpdateInput) {
  return runAdminAction(async (actor) => done((await updateConsumer(id, input, actor)).id));
}
export async function deleteConsumerAction(id: string) {
  return runAdminAction(async (actor) => done(await deleteConsumer(id, actor)));
}

export async function createGroupAction(input: GroupCreateInput) {
  return runAdminAction(async (actor) => done((await createGroup(input, actor)).id));
}
export async function updateGroupAction(id: string, input: GroupUpdateInput) {
  return runAdminAction(async (actor) => done((await updateGroup(id, input, actor)).id));
}
export async function deleteGroupAction(id: string) {
  return runAdminAction(async (actor) => done(await deleteGroup(id, actor)));
}

export async function createTeamAction(input: TeamCreateInput) {
  return runAdminAction(async (actor) => done((await createTeam(input, actor)).id));
}
export async function updateTeamAction(id: string, input: TeamUpdateInput) {
  return runAdminAction(async (actor) => done((await updateTeam(id, input, actor)).id));
}
export async function deleteTeamAction(id: string) {
  return runAdminAction(async (actor) => done(await deleteTeam(id, actor)));
}
