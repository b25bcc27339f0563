import { getPortalSignupSettings } from "@sluice/db";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Logo } from "@/components/logo";
import { oidcConfigFromEnv } from "@/lib/oidc";
import { safeCallbackPath } from "@/lib/roles";
import { getSessionUser } from "@/lib/session";
import { SignInForm } from "./sign-in-form";
import { SsoButton } from "./sso-button";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  const user = await getSessionUser();
  if (user) redirect(safeCallbackPath(callbackUrl, user.roles));
  const signup = await getPortalSignupSettings().catch(() => ({ enabled: false }));
  const sso = oidcConfigFromEnv();

  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <Logo />
          <div>
            <h1 className="text-xl font-semibold tracking-tight">Sign in to Sluice</h1>
            <p className="mt-1 text-sm text-zinc-500">The control plane of your LLM gateway.</p>
          </div>
        </div>
        <div className="rounded-lg border border-zinc-200 bg-white p-6 shadow-xs">
          <SignInForm callbackUrl={callbackUrl ?? null} initialError={error ?? null} />
          {sso ? (
            <>
              <div className="my-4 flex items-center gap-3 text-xs text-zinc-400">
                <span className="h-px flex-1 bg-zinc-200" />
                or
                <span className="h-px flex-1 bg-zinc-200" />
              </div>
              <SsoButton name={sso.name} callbackUrl={callbackUrl ?? null} />
            </>
          ) : null}
        </div>
        {signup.enabled ? (
          <p className="mt-4 text-center text-sm text-zinc-500">
            Developer without an account?{" "}
            <Link href="/signup" className="font-medium text-zinc-900 underline">
              Create an account
            </Link>
          </p>
        ) : null}
      </div>
    </div>
  );
}
