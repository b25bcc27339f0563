import { describe, expect, it } from "vitest";
import { decideAccess, homePathFor, safeCallbackPath, sectionsFor } from "@/lib/roles";

const admin = { id: "usr_a", email: "a@x.test", name: "A", roles: ["ADMIN" as const] };
const dev = { id: "usr_d", email: "d@x.test", name: null, roles: ["DEVELOPER" as const] };
const finDev = { id: "usr_f", email: "f@x.test", name: null, roles: ["FINANCE" as const, "DEVELOPER" as const] };
const noRoles = { id: "usr_n", email: "n@x.test", name: null, roles: [] };

describe("decideAccess", () => {
  it("is 401 without a session or without a usable user", () => {
    expect(decideAccess(null, ["ADMIN"])).toMatchObject({ ok: false, status: 401 });
    expect(decideAccess(undefined, [])).toMatchObject({ ok: false, status: 401 });
    // what the session callback returns for a disabled or deleted user
    expect(decideAccess({ user: undefined }, [])).toMatchObject({ ok: false, status: 401 });
    expect(decideAccess({ user: { email: "a@x.test", roles: ["ADMIN"] } }, ["ADMIN"])).toMatchObject({ ok: false, status: 401 });
    expect(decideAccess({ user: { id: "usr_a", email: "a@x.test" } }, [])).toMatchObject({ ok: false, status: 401 });
  });

  it("is 403 when the user holds none of the roles", () => {
    expect(decideAccess({ user: dev }, ["ADMIN"])).toEqual({ ok: false, status: 403, reason: "needs role ADMIN" });
    expect(decideAccess({ user: noRoles }, ["ADMIN", "FINANCE"])).toMatchObject({ ok: false, status: 403 });
    expect(decideAccess({ user: admin }, ["FINANCE"])).toMatchObject({ ok: false, status: 403 });
  });

  it("allows a user holding any one of the roles, and any signed-in user when no role is named", () => {
    expect(decideAccess({ user: admin }, ["ADMIN"])).toEqual({ ok: true, user: admin });
    expect(decideAccess({ user: finDev }, ["ADMIN", "DEVELOPER"])).toMatchObject({ ok: true, user: { id: "usr_f" } });
    expect(decideAccess({ user: noRoles }, [])).toMatchObject({ ok: true, user: { id: "usr_n", roles: [] } });
  });

  it("returns a copy of the roles, not the session's array", () => {
    const decision = decideAccess({ user: admin }, []);
    expect(decision.ok && decision.user.roles).not.toBe(admin.roles);
  });
});

describe("homes and sections", () => {
  it("sends each role to its home", () => {
    expect(homePathFor(["ADMIN"])).toBe("/manager");
    expect(homePathFor(["DEVELOPER", "ADMIN"])).toBe("/manager");
    expect(homePathFor(["FINANCE", "DEVELOPER"])).toBe("/finance");
    expect(homePathFor(["DEVELOPER"])).toBe("/portal");
    expect(homePathFor([])).toBe("/forbidden");
  });

  it("lists the sections a user may open", () => {
    expect(sectionsFor(["ADMIN"]).map((s) => s.href)).toEqual(["/manager", "/portal", "/finance"]);
    expect(sectionsFor(["DEVELOPER"]).map((s) => s.href)).toEqual(["/portal"]);
    expect(sectionsFor(["FINANCE"]).map((s) => s.href)).toEqual(["/finance"]);
    expect(sectionsFor([])).toEqual([]);
  });

  it("accepts only same-origin callbacks into a section the user may open", () => {
    expect(safeCallbackPath("/manager/routes?x=1", ["ADMIN"])).toBe("/manager/routes?x=1");
    expect(safeCallbackPath("/portal", ["DEVELOPER"])).toBe("/portal");
    expect(safeCallbackPath("/manager", ["DEVELOPER"])).toBe("/portal");
    expect(safeCallbackPath("/managerial", ["ADMIN"])).toBe("/manager");
    for (const evil of [
      "https://evil.test/manager",
      "//evil.test/manager",
      "/\\evil.test",
      "javascript:alert(1)",
      "",
      null,
      undefined,
    ]) {
      expect(safeCallbackPath(evil, ["ADMIN"])).toBe("/manager");
    }
  });
});
