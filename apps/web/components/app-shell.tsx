import type { ReactNode } from "react";
import type { SessionUser } from "@/lib/roles";
import { AppNav } from "./app-nav";

export function AppShell({ user, children }: { user: SessionUser; children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <AppNav user={user} />
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
