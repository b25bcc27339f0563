"use client";

import { SubNav } from "@sluice/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";

export const MANAGER_SECTIONS = [
  { href: "/manager", label: "Overview" },
  { href: "/manager/providers", label: "Providers" },
  { href: "/manager/routes", label: "Routes" },
  { href: "/manager/policies", label: "Policies" },
  { href: "/manager/consumers", label: "Consumers" },
  { href: "/manager/groups", label: "Groups" },
  { href: "/manager/teams", label: "Teams" },
  { href: "/manager/keys", label: "API keys" },
  { href: "/manager/templates", label: "Prompt templates" },
  { href: "/manager/prices", label: "Prices" },
  { href: "/manager/budgets", label: "Budgets" },
  { href: "/manager/nodes", label: "Gateway nodes" },
  { href: "/manager/cache", label: "Cache" },
  { href: "/manager/audit", label: "Audit log" },
  { href: "/manager/users", label: "Users" },
  { href: "/manager/admin-tokens", label: "Admin API tokens" },
  { href: "/manager/settings", label: "Settings" },
] as const;

export function ManagerNav() {
  const pathname = usePathname();
  const links = MANAGER_SECTIONS.map((s) => ({
    ...s,
    active: s.href === "/manager" ? pathname === "/manager" : pathname === s.href || pathname.startsWith(`${s.href}/`),
  }));
  return (
    <SubNav
      links={links}
      renderLink={(l, className) => (
        <Link href={l.href} className={className} aria-current={l.active ? "page" : undefined}>
          {l.label}
        </Link>
      )}
    />
  );
}
