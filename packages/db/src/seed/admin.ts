import { randomBytes } from "node:crypto";
import type { Db } from "../client.ts";
import { newId } from "../ids.ts";
import { hashPassword } from "../password.ts";

export interface FirstAdmin {
  created: boolean;
  email: string;
  /** only when no password was given and one was generated: print it once */
  generatedPassword?: string;
}

/** Create the first admin when no admin exists yet (credentials from env, or a generated password). */
export async function ensureFirstAdmin(db: Db, opts: { email: string; password?: string }): Promise<FirstAdmin> {
  const existing = await db.user.findFirst({ where: { roles: { has: "ADMIN" } }, select: { email: true } });
  if (existing) return { created: false, email: existing.email };
  const generatedPassword = opts.password ? undefined : randomBytes(12).toString("base64url");
  const email = opts.email.toLowerCase();
  await db.user.upsert({
    where: { email },
    create: {
      id: newId("user"),
      email,
      name: "Admin",
      roles: ["ADMIN"],
      passwordHash: await hashPassword(opts.password ?? generatedPassword!),
    },
    update: { roles: { push: "ADMIN" } },
  });
  return { created: true, email, generatedPassword };
}
