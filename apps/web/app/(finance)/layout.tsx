import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { requireRole } from "@/lib/session";

export default async function FinanceLayout({ children }: { children: ReactNode }) {
  const user = await requireRole("FINANCE", "ADMIN");
  return <AppShell user={user}>{children}</AppShell>;
}
