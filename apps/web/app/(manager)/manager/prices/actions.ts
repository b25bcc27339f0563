"use server";

import { createBudget, createPrice, deleteBudget, deleteScheduledPrice, setBudgetEnabled } from "@sluice/db";
import type { BudgetCreateInput, PriceCreateInput } from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";

const done = <T>(r: T) => {
  revalidatePath("/manager", "layout");
  return r;
};

export async function createPriceAction(input: PriceCreateInput) {
  return runAdminAction(async (actor) => done((await createPrice(input, actor)).id));
}
export async function deleteScheduledPriceAction(id: string) {
  return runAdminAction(async (actor) => done(await deleteScheduledPrice(id, actor)));
}

export async function createBudgetAction(input: BudgetCreateInput) {
  return runAdminAction(async (actor) => done((await createBudget(input, actor)).id));
}
export async function setBudgetEnabledAction(id: string, enabled: boolean) {
  return runAdminAction(async (actor) => done((await setBudgetEnabled(id, enabled, actor)).id));
}
export async function deleteBudgetAction(id: string) {
  return runAdminAction(async (actor) => done(await deleteBudget(id, actor)));
}
