"use server";

import { inviteUser, revokeInvite, updateUser } from "@sluice/db";
import type { Role, UserInviteInput } from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";

const done = <T>(r: T) => {
  revalidatePath("/manager/users");
  return r;
};

/** The invite token is returned once (as a link); only its hash is stored. */
export async function inviteUserAction(input: UserInviteInput) {
  return runAdminAction(async (actor) => {
    const { invite, token } = await inviteUser(input, actor);
    const base = (process.env.NEXTAUTH_URL ?? "").replace(/\/$/, "");
    return done({ id: invite.id, link: `${base}/invite?token=${encodeURIComponent(token)}` });
  });
}

export async function revokeInviteAction(id: string) {
  return runAdminAction(async (actor) => done(await revokeInvite(id, actor)));
}

export async function setUserRolesAction(id: string, roles: Role[]) {
  return runAdminAction(async (actor) => done((await updateUser(id, { roles }, actor)).id));
}

export async function setUserDisabledAction(id: string, disabled: boolean) {
  return runAdminAction(async (actor) => done((await updateUser(id, { disabled }, actor)).id));
}
