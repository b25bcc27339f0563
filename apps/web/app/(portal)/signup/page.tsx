import { getPortalSignupSettings } from "@sluice/db";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Logo } from "@/components/logo";
import { homePathFor } from "@/lib/roles";
import { getSessionUser } from "@/lib/session";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Sign up" };
export const dynamic = "force-dynamic";

export default async function SignUpPage() {
  const user = await getSessionUser();
  if (user) redirect(homePathFor(user.roles));
  const settings = await getPortalSignupSettings();

  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <Logo />
          <div>
            <h1 className="text-xl font-semibold tracking-tight">Create a developer account</h1>
            <p className="mt-1 text-sm text-zinc-500">Issue your own API keys for the LLM gateway.</p>
          </div>
        </div>
        <div className="rounded-lg border border-zinc-200 bg-white p-6 shadow-xs">
          {settings.enabled ? (
            <SignUpForm allowedDomains={settings.allowedDomains} />
          ) : (
            <p className="text-sm text-zinc-600" data-testid="signup-disabled">
              Self sign-up is not enabled on this Sluice. Ask an administrator for an invitation.
            </p>
          )}
        </div>
        <p className="mt-4 text-center text-sm text-zinc-500">
          Already have an account?{" "}
          <Link href="/signin" className="font-medium text-zinc-900 underline-offset-2 hover:underline">
            Sign in
          </Link>
        </p>
      </div>
    </div>
  );
}
