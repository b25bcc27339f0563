import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfigVersion } from "../src/config-version.ts";
import { newId } from "../src/ids.ts";
import { emailDomainAllowed, getPortalSignupSettings, updatePortalSignupSettings } from "../src/queries/portal.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

let t: TestDatabase;
const actor = { type: "USER" as const, id: "usr_admin", label: "admin@example.test" };
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(() => t?.drop());

describe("portal self sign-up settings (admin)", () => {
  it("is off until an admin enables it, then audited with before/after", async () => {
    expect(await getPortalSignupSettings(t.db)).toEqual({ enabled: false, allowedDomains: [] });
    const team = await t.db.team.create({ data: { id: newId("team"), name: "Devs", slug: "devs" } });
    const group = await t.db.consumerGroup.create({ data: { id: newId("group"), name: "default" } });
    const v0 = await getConfigVersion(t.db);
    const saved = await updatePortalSignupSettings(
      { enabled: true, allowedDomains: ["Example.COM"], defaultTeamId: team.id, defaultGroupId: group.id },
      actor,
      t.db,
    );
    expect(saved).toEqual({ enabled: true, allowedDomains: ["example.com"], defaultTeamId: team.id, defaultGroupId: group.id });
    expect(await getPortalSignupSettings(t.db)).toEqual(saved);
    expect(await getConfigVersion(t.db)).toBe(v0 + 1n);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "settings.portal_signup.update" } });
    expect(audit.actorId).toBe("usr_admin");
    expect(audit.before).toBeNull();
    expect(audit.after).toMatchObject({ enabled: true, allowedDomains: ["example.com"] });
    expect(emailDomainAllowed("dev@example.com", saved.allowedDomains)).toBe(true);
    expect(emailDomainAllowed("dev@other.org", saved.allowedDomains)).toBe(false);
  });

  it("refuses a default team or group that does not exist, changing nothing", async () => {
    const before = await getPortalSignupSettings(t.db);
    await expect(
      updatePortalSignupSettings({ enabled: true, allowedDomains: [], defaultTeamId: "team_missing" }, actor, t.db),
    ).rejects.toMatchObject({ code: "invalid", fields: { defaultTeamId: ["no such team"] } });
    expect(await getPortalSignupSettings(t.db)).toEqual(before);
  });
});
