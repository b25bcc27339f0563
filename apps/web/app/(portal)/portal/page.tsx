import type { Metadata } from "next";
import { NotBuilt } from "@/components/not-built";
import { requireRole } from "@/lib/session";

export const metadata: Metadata = { title: "Developer portal" };
export const dynamic = "force-dynamic";

export default async function PortalPage() {
  await requireRole("DEVELOPER", "ADMIN");
  return (
    <NotBuilt
      title="Developer portal"
      summary="Where developers manage their applications and keys."
      planned={[
        "Your applications (consumers) and their API keys, issued and revoked here",
        "Usage and cost of your applications",
        "The routes and models you may call, with code snippets",
      ]}
    />
  );
}
