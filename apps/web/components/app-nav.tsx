"use client";

import { Button, Nav } from "@sluice/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { useState } from "react";
import type { SessionUser } from "@/lib/roles";
import { sectionsFor } from "@/lib/roles";
import { Logo } from "./logo";

export function AppNav({ user }: { user: SessionUser }) {
  const pathname = usePathname();
  const [signingOut, setSigningOut] = useState(false);
  const links = sectionsFor(user.roles).map((s) => ({
    ...s,
    active: pathname === s.href || pathname.startsWith(`${s.href}/`),
  }));
  return (
    <Nav
      brand={
        <Link href="/" aria-label="Sluice home">
          <Logo />
        </Link>
      }
      links={links}
      user={{ email: user.email, roles: user.roles }}
      renderLink={(link, className) => (
        <Link href={link.href} className={className} aria-current={link.active ? "page" : undefined}>
          {link.label}
        </Link>
      )}
      actions={
        <Button
          variant="secondary"
          size="sm"
          disabled={signingOut}
          onClick={() => {
            setSigningOut(true);
            void signOut({ callbackUrl: "/signin" });
          }}
        >
          {signingOut ? "Signing out…" : "Sign out"}
        </Button>
      }
    />
  );
}
