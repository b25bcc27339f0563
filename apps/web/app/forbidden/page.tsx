import { EmptyState, PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { AppShell } from "@/components/app-shell";
import { sectionsFor } from "@/lib/roles";
import { requireUser } from "@/lib/session";

export const metadata: Metadata = { title: "No access" };
export const dynamic = "force-dynamic";

export default async function ForbiddenPage() {
  const user = await requireUser();
  const sections = sectionsFor(user.roles);
  return (
    <AppShell user={user}>
      <PageHeader title="No access" />
      <EmptyState
        title="Your roles do not include this section"
        description={
          user.roles.length
            ? `You are signed in as ${user.email} with the roles ${user.roles.join(", ")}. Ask an administrator if you need more.`
            : `You are signed in as ${user.email} without any role. Ask an administrator to give you one.`
        }
      >
        {sections.length ? (
          <ul className="space-y-1 text-sm">
            {sections.map((s) => (
              <li key={s.href}>
                <Link className="font-medium text-zinc-900 underline underline-offset-4" href={s.href}>
                  Go to {s.label}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
      </EmptyState>
    </AppShell>
  );
}
