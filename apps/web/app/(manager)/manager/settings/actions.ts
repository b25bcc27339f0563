"use server";

import { updatePortalSignupSettings } from "@sluice/db";
import { runAdminAction } from "@/lib/admin-action";

export interface SignupSettingsInput {
  enabled: boolean;
  allowedDomains: string[];
  defaultTeamId: string | null;
  defaultGroupId: string | null;
}

export async function updateSignupSettingsAction(input: SignupSettingsInput) {
  return runAdminAction((actor) => updatePortalSignupSettings(input, actor));
}
