import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { requireRole } from "@/lib/session";
import { ManagerNav } from "./manager/_components/manager-nav";

export default async function ManagerLayout({ children }: { children: ReactNode }) {
  const user = await requireRole("ADMIN");
  return (
    <AppShell user={user}>
      <div className="flex flex-col gap-6 md:flex-row md:gap-8">
        <aside className="md:w-48 md:shrink-0">
          <ManagerNav />
        </aside>
        <div className="min-w-0 flex-1">{children}</div>
      </div>
    </AppShell>
  );
}
