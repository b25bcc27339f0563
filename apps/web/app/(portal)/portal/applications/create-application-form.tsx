"use client";

import { Button, Card, CardContent, CardHeader, CardTitle, Input, Label } from "@sluice/ui";
import { useRouter } from "next/navigation";
import { type FormEvent, useState, useTransition } from "react";
import { createApplicationAction } from "../actions";

export function CreateApplicationForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    startTransition(async () => {
      const result = await createApplicationAction({
        name: String(form.get("name") ?? ""),
        description: String(form.get("description") ?? "") || null,
      });
      if (!result.ok) return setError(result.error);
      router.push(`/portal/applications/${result.data.id}`);
    });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>New application</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
          <div className="min-w-48 flex-1 space-y-1.5">
            <Label htmlFor="app-name">Name</Label>
            <Input id="app-name" name="name" required maxLength={100} placeholder="e.g. support-bot" />
          </div>
          <div className="min-w-64 flex-[2] space-y-1.5">
            <Label htmlFor="app-description">Description</Label>
            <Input id="app-description" name="description" maxLength={1000} placeholder="optional" />
          </div>
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create application"}
          </Button>
        </form>
        {error ? (
          <p role="alert" className="mt-3 text-sm text-red-700">
            {error}
          </p>
        ) : null}
      </CardContent>
    </Card>
  );
}
