"use server";

import { issueApiKey, revokeApiKey, rotateApiKey } from "@sluice/db";
import type { ApiKeyIssueInput, ApiKeyRotateInput } from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";

const done = <T>(r: T) => {
  revalidatePath("/manager", "layout");
  return r;
};

/** The plaintext is returned once, to be shown once; only its sha256 is stored. */
export async function issueApiKeyAction(input: ApiKeyIssueInput) {
  return runAdminAction(async (actor) => {
    const { key, plaintext } = await issueApiKey(input, actor);
    return done({ id: key.id, start: key.start, plaintext });
  });
}

export async function rotateApiKeyAction(id: string, input: ApiKeyRotateInput) {
  return runAdminAction(async (actor) => {
    const { key, plaintext } = await rotateApiKey(id, input, actor);
    return done({ id: key.id, start: key.start, plaintext });
  });
}

export async function revokeApiKeyAction(id: string) {
  return runAdminAction(async (actor) => done((await revokeApiKey(id, actor)).id));
}
