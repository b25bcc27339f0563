// next-auth options: email + password (Credentials) and, when configured, any OIDC provider (lib/oidc.ts), with JWT
// sessions. Route files may only export handlers, so the options live here and both the auth route and
// getServerSession() use them.

import {
  dummyPasswordHash,
  findUserForSession,
  findUserForSignIn,
  normalizeEmail,
  recordLogin,
  verifyPassword,
} from "@sluice/db";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { OIDC_PROVIDER_ID, type OidcProfile, oidcProviders, resolveOidcUser } from "./oidc";
import { AttemptLimiter, signInLimitKey } from "./rate-limit";

/** Error codes the sign-in form turns into messages (next-auth passes a thrown error's message to the client). */
export const SIGN_IN_ERRORS = {
  rateLimited: "RateLimited",
  disabled: "AccountDisabled",
} as const;

const DEFAULT_SESSION_MAX_AGE_S = 8 * 60 * 60;

/** SLUICE_SESSION_MAX_AGE in seconds (default 8 h). */
export function sessionMaxAgeSeconds(value = process.env.SLUICE_SESSION_MAX_AGE): number {
  if (!value) return DEFAULT_SESSION_MAX_AGE_S;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 60) throw new Error("SLUICE_SESSION_MAX_AGE must be a whole number of seconds, at least 60");
  return n;
}

/** How often a session is re-checked against the users table (role changes, disabled users). */
const RECHECK_MS = 60_000;

const WINDOW_MS = 15 * 60_000;
const limiters = (() => {
  const g = globalThis as unknown as { __sluiceSignInLimiters?: { byEmailIp: AttemptLimiter; byEmail: AttemptLimiter } };
  g.__sluiceSignInLimiters ??= {
    // one person mistyping from one place
    byEmailIp: new AttemptLimiter({ max: 10, windowMs: WINDOW_MS }),
    // one account attacked from many addresses
    byEmail: new AttemptLimiter({ max: 50, windowMs: WINDOW_MS }),
  };
  return g.__sluiceSignInLimiters;
})();

function clientIp(headers: Record<string, unknown> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const first = typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined;
  const real = headers?.["x-real-ip"];
  return first || (typeof real === "string" ? real : "") || "unknown";
}

export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: sessionMaxAgeSeconds() },
  jwt: { maxAge: sessionMaxAgeSeconds() },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        const email = normalizeEmail(String(credentials?.email ?? ""));
        const password = String(credentials?.password ?? "");
        if (!email || !password) return null;

        const ipKey = signInLimitKey(email, clientIp(req?.headers));
        if (!limiters.byEmailIp.check(ipKey).ok || !limiters.byEmail.check(email).ok) {
          throw new Error(SIGN_IN_ERRORS.rateLimited);
        }

        const user = await findUserForSignIn(email);
        // unknown users are checked against a dummy hash so both answers take the same time
        const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
        if (!user?.passwordHash || !valid) {
          limiters.byEmailIp.recordFailure(ipKey);
          limiters.byEmail.recordFailure(email);
          return null;
        }
        // said only to someone who knows the password
        if (user.disabled) throw new Error(SIGN_IN_ERRORS.disabled);

        limiters.byEmailIp.reset(ipKey);
        await recordLogin(user.id);
        return { id: user.id, email: user.email, name: user.name, roles: user.roles };
      },
    }),
    // "Sign in with SSO" when SLUICE_OIDC_ISSUER, SLUICE_OIDC_CLIENT_ID and SLUICE_OIDC_CLIENT_SECRET are set
    ...oidcProviders(),
  ],
  callbacks: {
    async signIn({ user, account, profile }) {
      if (account?.provider !== OIDC_PROVIDER_ID) return true;
      // the IdP's user becomes the Sluice user with that e-mail (created as DEVELOPER when self sign-up allows it)
      const r = await resolveOidcUser((profile ?? {}) as OidcProfile);
      if (!r.ok) return `/signin?error=${r.error}`;
      Object.assign(user, r.user);
      return true;
    },
    async jwt({ token, user, account }) {
      if (user && account?.provider === OIDC_PROVIDER_ID) {
        // signIn() above resolved the Sluice user; look it up by e-mail in case next-auth handed over a fresh object
        const found = user.email ? await findUserForSignIn(user.email) : null;
        if (!found || found.disabled) {
          token.revoked = true;
          return token;
        }
        token.uid = found.id;
        token.roles = found.roles;
        token.email = found.email;
        token.name = found.name;
        token.checkedAt = Date.now();
        return token;
      }
      if (user) {
        token.uid = user.id;
        token.roles = user.roles;
        token.checkedAt = Date.now();
        return token;
      }
      if (token.uid && !token.revoked && Date.now() - (token.checkedAt ?? 0) > RECHECK_MS) {
        try {
          const fresh = await findUserForSession(token.uid);
          if (!fresh || fresh.disabled) token.revoked = true;
          else {
            token.roles = fresh.roles;
            token.email = fresh.email;
            token.name = fresh.name;
          }
          token.checkedAt = Date.now();
        } catch {
          // database unreachable: keep the token and check again next time; pages needing data fail on their own
        }
      }
      return token;
    },
    async session({ session, token }) {
      if (!token.uid || token.revoked) {
        // no usable user: decideAccess() treats this as signed out
        return { expires: session.expires } as typeof session;
      }
      session.user = { id: token.uid, email: token.email ?? "", name: token.name ?? null, roles: token.roles ?? [] };
      return session;
    },
  },
};
