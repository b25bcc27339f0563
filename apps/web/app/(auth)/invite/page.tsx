import type { Metadata } from "next";
import { Logo } from "@/components/logo";
import { AcceptInviteForm } from "./accept-form";

export const metadata: Metadata = { title: "Accept invite" };
export const dynamic = "force-dynamic";

export default async function InvitePage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <Logo />
          <h1 className="text-xl font-semibold tracking-tight">Join Sluice</h1>
        </div>
        <div className="rounded-lg border border-zinc-200 bg-white p-6 shadow-xs">
          {token ? <AcceptInviteForm token={token} /> : <p className="text-sm text-zinc-600">This invite link is incomplete.</p>}
        </div>
      </div>
    </div>
  );
}
