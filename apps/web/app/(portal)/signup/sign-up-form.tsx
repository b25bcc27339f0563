"use client";

import { Button, Input, Label } from "@sluice/ui";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { signUpAction } from "./actions";

export function SignUpForm({ allowedDomains }: { allowedDomains: string[] }) {
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    setPending(true);
    setError(null);
    setFields({});
    try {
      const result = await signUpAction({ email, password, name: String(form.get("name") ?? "") || null });
      if (!result.ok) {
        setError(result.error);
        setFields(result.fields ?? {});
        setPending(false);
        return;
      }
      const res = await signIn("credentials", { redirect: false, email, password });
      window.location.assign(res?.ok ? "/portal" : "/signin");
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <div className="space-y-1.5">
        <Label htmlFor="name">Name</Label>
        <Input id="name" name="name" autoComplete="name" />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="email">Email</Label>
        <Input id="email" name="email" type="email" autoComplete="email" required invalid={Boolean(fields.email)} />
        {allowedDomains.length ? (
          <p className="text-xs text-zinc-500">Only {allowedDomains.map((d) => `@${d}`).join(", ")} addresses.</p>
        ) : null}
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="password">Password</Label>
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          required
          invalid={Boolean(fields.password)}
        />
        <p className="text-xs text-zinc-500">At least 12 characters.</p>
      </div>
      {error ? (
        <p
          role="alert"
          data-testid="signup-error"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-red-200 ring-inset"
        >
          {error}
        </p>
      ) : null}
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating your account…" : "Create account"}
      </Button>
    </form>
  );
}
