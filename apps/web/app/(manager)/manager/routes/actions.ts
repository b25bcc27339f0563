"use server";

import { createRoute, deleteRoute, setRouteEnabled, updateRoute } from "@sluice/db";
import type { RouteCreateInput, RouteUpdateInput } from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";

const done = <T>(r: T) => {
  revalidatePath("/manager/routes", "layout");
  return r;
};

export async function createRouteAction(input: RouteCreateInput) {
  return runAdminAction(async (actor) => done((await createRoute(input, actor)).id));
}

export async function updateRouteAction(id: string, input: RouteUpdateInput) {
  return runAdminAction(async (actor) => done((await updateRoute(id, input, actor)).id));
}

export async function setRouteEnabledAction(id: string, enabled: boolean) {
  return runAdminAction(async (actor) => done((await setRouteEnabled(id, enabled, actor)).id));
}

export async function deleteRouteAction(id: string) {
  return runAdminAction(async (actor) => done(await deleteRoute(id, actor)));
}
