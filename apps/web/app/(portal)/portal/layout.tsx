import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { requireRole } from "@/lib/session";
import { PortalTabs } from "./portal-tabs";

// The developer portal. /signup (beside this folder) is public; everything under /portal needs a session.
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireRole("DEVELOPER", "ADMIN");
  return (
    <AppShell user={user}>
      <PortalTabs />
      {children}
    </AppShell>
  );
}
