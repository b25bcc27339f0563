import type { Role } from "@sluice/db/schemas";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string | null; roles: Role[] };
  }
  interface User {
    roles: Role[];
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    roles?: Role[];
    /** ms epoch of the last check against the users table */
    checkedAt?: number;
    /** the user was disabled or deleted since sign-in */
    revoked?: boolean;
  }
}
