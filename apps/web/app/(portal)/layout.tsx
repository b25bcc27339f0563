import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { requireRole } from "@/lib/session";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireRole("DEVELOPER", "ADMIN");
  return <AppShell user={user}>{children}</AppShell>;
}
