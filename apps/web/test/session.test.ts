// The page and route-handler guards, with next-auth's session lookup and Next's redirect replaced by fakes.

import { beforeEach, describe, expect, it, vi } from "vitest";

const getServerSession = vi.fn();
vi.mock("next-auth", () => ({ getServerSession: (...args: unknown[]) => getServerSession(...args) }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`REDIRECT ${url}`);
  },
}));
vi.mock("@/lib/auth", () => ({ authOptions: { marker: "authOptions" } }));

const { authorizeRoute, getSessionUser, requireRole, requireUser } = await import("@/lib/session");

const admin = { id: "usr_a", email: "a@x.test", name: "A", roles: ["ADMIN"] };
const finance = { id: "usr_f", email: "f@x.test", name: null, roles: ["FINANCE"] };

beforeEach(() => getServerSession.mockReset());

describe("pages: requireUser / requireRole", () => {
  it("reads the session with the app's auth options", async () => {
    getServerSession.mockResolvedValue({ user: admin, expires: "" });
    await requireUser();
    expect(getServerSession).toHaveBeenCalledWith({ marker: "authOptions" });
  });

  it("redirects to /signin without a session", async () => {
    getServerSession.mockResolvedValue(null);
    await expect(requireUser()).rejects.toThrow("REDIRECT /signin");
    await expect(requireRole("ADMIN")).rejects.toThrow("REDIRECT /signin");
  });

  it("redirects to /forbidden when the role is missing", async () => {
    getServerSession.mockResolvedValue({ user: finance, expires: "" });
    await expect(requireRole("ADMIN")).rejects.toThrow("REDIRECT /forbidden");
  });

  it("returns the user when a role matches", async () => {
    getServerSession.mockResolvedValue({ user: finance, expires: "" });
    await expect(requireRole("ADMIN", "FINANCE")).resolves.toMatchObject({ id: "usr_f", roles: ["FINANCE"] });
    await expect(getSessionUser()).resolves.toMatchObject({ email: "f@x.test" });
  });
});

describe("route handlers: authorizeRoute", () => {
  it("answers 401 JSON without a session", async () => {
    getServerSession.mockResolvedValue(null);
    const access = await authorizeRoute("ADMIN");
    expect(access.user).toBeNull();
    expect(access.response?.status).toBe(401);
    expect(await access.response?.json()).toMatchObject({ error: { code: "unauthenticated" } });
  });

  it("answers 403 JSON when the role is missing", async () => {
    getServerSession.mockResolvedValue({ user: finance, expires: "" });
    const access = await authorizeRoute("ADMIN");
    expect(access.response?.status).toBe(403);
    expect(await access.response?.json()).toMatchObject({ error: { code: "forbidden" } });
  });

  it("passes the user through when allowed", async () => {
    getServerSession.mockResolvedValue({ user: admin, expires: "" });
    const access = await authorizeRoute("ADMIN");
    expect(access.response).toBeNull();
    expect(access.user).toMatchObject({ id: "usr_a" });
  });
});
