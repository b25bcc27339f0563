"use client";

import { Button } from "@sluice/ui";
import { signIn } from "next-auth/react";
import { useState } from "react";

/** "Sign in with SSO": next-auth's OIDC provider (shown only when SLUICE_OIDC_* is configured). */
export function SsoButton({ name, callbackUrl }: { name: string; callbackUrl: string | null }) {
  const [pending, setPending] = useState(false);
  return (
    <Button
      type="button"
      variant="secondary"
      className="w-full"
      disabled={pending}
      data-testid="sso-sign-in"
      onClick={() => {
        setPending(true);
        // "/" picks the home for the user's roles on the server (and accepts a same-origin callback)
        void signIn("oidc", { callbackUrl: callbackUrl ? `/?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/" });
      }}
    >
      {pending ? "Redirecting…" : `Sign in with ${name}`}
    </Button>
  );
}
