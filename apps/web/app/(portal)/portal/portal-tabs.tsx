"use client";

import { cn } from "@sluice/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";

const TABS = [
  { href: "/portal", label: "Overview" },
  { href: "/portal/catalog", label: "Catalog" },
  { href: "/portal/applications", label: "Applications & keys" },
  { href: "/portal/usage", label: "My usage" },
  { href: "/portal/playground", label: "Playground" },
];

export function PortalTabs() {
  const pathname = usePathname();
  return (
    <nav aria-label="Portal" className="-mt-2 mb-6 flex gap-1 overflow-x-auto border-b border-zinc-200">
      {TABS.map((t) => {
        const active = t.href === "/portal" ? pathname === "/portal" : pathname === t.href || pathname.startsWith(`${t.href}/`);
        return (
          <Link
            key={t.href}
            href={t.href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "-mb-px border-b-2 px-3 py-2 text-sm whitespace-nowrap",
              active ? "border-zinc-900 font-medium text-zinc-900" : "border-transparent text-zinc-500 hover:text-zinc-800",
            )}
          >
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
