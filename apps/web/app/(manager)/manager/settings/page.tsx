import { getPortalSignupSettings, listGroups, listTeams } from "@sluice/db";
import { PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import { requireRole } from "@/lib/session";
import { SignupSettingsForm } from "./signup-form";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  await requireRole("ADMIN");
  const [signup, teams, groups] = await Promise.all([
    getPortalSignupSettings(),
    listTeams({ pageSize: 200 }),
    listGroups({ pageSize: 200 }),
  ]);
  return (
    <>
      <PageHeader title="Settings" description="Instance settings for the developer portal." />
      <SignupSettingsForm
        initial={{
          enabled: signup.enabled,
          allowedDomains: signup.allowedDomains,
          defaultTeamId: signup.defaultTeamId ?? null,
          defaultGroupId: signup.defaultGroupId ?? null,
        }}
        teams={teams.items.map((t) => ({ id: t.id, name: t.name }))}
        groups={groups.items.map((g) => ({ id: g.id, name: g.name }))}
      />
    </>
  );
}
