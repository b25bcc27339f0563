"use client";

import { Button, Input, Label } from "@sluice/ui";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  RateLimited: "Too many failed attempts. Wait 15 minutes and try again.",
  AccountDisabled: "This account is disabled. Ask an administrator to enable it.",
  SessionRequired: "Sign in to continue.",
  OidcNoAccount: "There is no Sluice account for this e-mail. Ask an administrator to invite you.",
  OidcNoEmail: "The identity provider did not share an e-mail address.",
  OidcEmailUnverified: "The identity provider says this e-mail address is not verified.",
  OAuthSignin: "Could not start the single sign-on. Try again or ask an administrator.",
  OAuthCallback: "The single sign-on did not complete. Try again.",
  AccessDenied: "Access denied.",
};

function messageFor(code: string): string {
  return MESSAGES[code] ?? "Sign-in failed. Try again.";
}

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string | null; initialError: string | null }) {
  const [error, setError] = useState<string | null>(initialError ? messageFor(initialError) : null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const res = await signIn("credentials", {
        redirect: false,
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
      });
      if (!res || res.error || !res.ok) {
        setError(messageFor(res?.error ?? ""));
        setPending(false);
        return;
      }
      // "/" picks the home for the user's roles on the server (and accepts a same-origin callback)
      window.location.assign(callbackUrl ? `/?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/");
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate={false}>
      <div className="space-y-1.5">
        <Label htmlFor="email">Email</Label>
        <Input id="email" name="email" type="email" autoComplete="username" required autoFocus invalid={Boolean(error)} />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="password">Password</Label>
        <Input id="password" name="password" type="password" autoComplete="current-password" required invalid={Boolean(error)} />
      </div>
      {error ? (
        <p
          role="alert"
          data-testid="signin-error"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-red-200 ring-inset"
        >
          {error}
        </p>
      ) : null}
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
