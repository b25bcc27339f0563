"use client";

import { Alert, Button, Field, Input } from "@sluice/ui";
import { useState, useTransition } from "react";
import { acceptInviteAction } from "./actions";

export function AcceptInviteForm({ token }: { token: string }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [email, setEmail] = useState<string | null>(null);
  if (email)
    return (
      <Alert tone="success">
        Your account {email} is ready.{" "}
        <a className="font-medium underline" href="/signin">
          Sign in
        </a>
        .
      </Alert>
    );
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => {
          const r = await acceptInviteAction({ token, name, password });
          if (r.ok) setEmail(r.data);
          else {
            setError(r.message);
            setFields(r.fields ?? {});
          }
        });
      }}
    >
      <Field label="Your name" htmlFor="invite-name" errors={fields.name}>
        <Input id="invite-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" />
      </Field>
      <Field label="Choose a password" htmlFor="invite-password" hint="at least 12 characters" errors={fields.password}>
        <Input
          id="invite-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
        />
      </Field>
      {error ? <Alert tone="danger">{error}</Alert> : null}
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </Button>
    </form>
  );
}
