import type { ReactNode } from "react";
import { Badge } from "./badge.tsx";
import { cn } from "./cn.ts";

export interface NavLink {
  href: string;
  label: string;
  active?: boolean;
}

export interface NavProps {
  brand: ReactNode;
  links: NavLink[];
  user?: { email: string; roles: readonly string[] };
  /** e.g. a sign-out button */
  actions?: ReactNode;
  /** render a link with the app's router (next/link); plain <a> by default */
  renderLink?: (link: NavLink, className: string) => ReactNode;
}

export function Nav({ brand, links, user, actions, renderLink }: NavProps) {
  return (
    <header className="sticky top-0 z-10 border-b border-zinc-200 bg-white/90 backdrop-blur">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-6">
        <div className="flex shrink-0 items-center gap-2 font-semibold text-zinc-900">{brand}</div>
        <nav aria-label="Main" className="flex min-w-0 items-center gap-1">
          {links.map((link) => {
            const className = cn(
              "rounded-md px-2.5 py-1.5 text-sm transition-colors",
              link.active ? "bg-zinc-100 font-medium text-zinc-900" : "text-zinc-600 hover:bg-zinc-50 hover:text-zinc-900",
            );
            return renderLink ? (
              <span key={link.href}>{renderLink(link, className)}</span>
            ) : (
              <a key={link.href} href={link.href} className={className} aria-current={link.active ? "page" : undefined}>
                {link.label}
              </a>
            );
          })}
        </nav>
        <div className="ml-auto flex items-center gap-3">
          {user ? (
            <div className="hidden items-center gap-2 sm:flex" data-testid="nav-user">
              <span className="text-sm text-zinc-700">{user.email}</span>
              {user.roles.map((role) => (
                <Badge key={role} tone="neutral">
                  {role}
                </Badge>
              ))}
            </div>
          ) : null}
          {actions}
        </div>
      </div>
    </header>
  );
}
