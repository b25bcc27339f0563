"use client";

import type { ConsumerView } from "@sluice/db";
import { ConsumerCreateSchema, fieldErrors as zodFieldErrors } from "@sluice/db/schemas";
import { Button, Card, CardContent, CardHeader, CardTitle, Field, Input, Select, Textarea } from "@sluice/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormError, FormSuccess } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { createConsumerAction, updateConsumerAction } from "./actions";

type Option = { id: string; name: string };

export function ConsumerForm({ consumer, teams, groups }: { consumer: ConsumerView | null; teams: Option[]; groups: Option[] }) {
  const router = useRouter();
  const editing = consumer !== null;
  const [name, setName] = useState(consumer?.name ?? "");
  const [description, setDescription] = useState(consumer?.description ?? "");
  const [teamId, setTeamId] = useState(consumer?.teamId ?? "");
  const [groupIds, setGroupIds] = useState<string[]>(consumer?.groups.map((g) => g.id) ?? []);
  const [metadata, setMetadata] = useState(
    consumer && Object.keys(consumer.metadata).length ? JSON.stringify(consumer.metadata, null, 2) : "",
  );
  const [disabled, setDisabled] = useState(consumer?.disabled ?? false);
  const save = useAction(editing ? updateConsumerAction.bind(null, consumer.id) : createConsumerAction);

  function submit() {
    let meta: unknown = {};
    if (metadata.trim()) {
      try {
        meta = JSON.parse(metadata);
      } catch {
        save.setFields({ metadata: ["not valid JSON"] });
        save.setError("Fix the highlighted fields.");
        return;
      }
    }
    const payload = { name, description: description.trim() || null, teamId: teamId || null, groupIds, metadata: meta, disabled };
    const check = ConsumerCreateSchema.safeParse(payload);
    if (!check.success) {
      save.setFields(zodFieldErrors(check.error));
      save.setError("Fix the highlighted fields.");
      return;
    }
    save.run([payload as never], {
      success: editing ? "Consumer saved." : "Consumer created.",
      onSuccess: () => router.push(`/manager/consumers?done=${editing ? "updated" : "created"}`),
    });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>{editing ? `Edit consumer ${consumer.name}` : "Add a consumer"}</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4 md:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Field label="Name" htmlFor="consumer-name" errors={save.fields.name}>
            <Input
              id="consumer-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              invalid={Boolean(save.fields.name)}
            />
          </Field>
          <Field label="Team" htmlFor="consumer-team" errors={save.fields.teamId}>
            <Select id="consumer-team" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value="">no team</option>
              {teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Description" htmlFor="consumer-description" errors={save.fields.description} className="md:col-span-2">
            <Input id="consumer-description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
          <fieldset className="md:col-span-2">
            <legend className="mb-1 text-sm font-medium text-zinc-800">Groups</legend>
            {groups.length === 0 ? <p className="text-xs text-zinc-500">No groups yet (Groups page).</p> : null}
            <div className="flex flex-wrap gap-4 text-sm">
              {groups.map((g) => (
                <label key={g.id} className="inline-flex items-center gap-1.5">
                  <input
                    type="checkbox"
                    checked={groupIds.includes(g.id)}
                    onChange={(e) => setGroupIds(e.target.checked ? [...groupIds, g.id] : groupIds.filter((x) => x !== g.id))}
                  />
                  {g.name}
                </label>
              ))}
            </div>
          </fieldset>
          <Field
            label="Metadata (JSON)"
            htmlFor="consumer-metadata"
            hint='labels for conditional routing, e.g. {"tier": "premium"}'
            errors={save.fields.metadata}
            className="md:col-span-2"
          >
            <Textarea
              id="consumer-metadata"
              rows={2}
              className="font-mono text-xs"
              value={metadata}
              onChange={(e) => setMetadata(e.target.value)}
            />
          </Field>
          <label className="inline-flex items-center gap-2 text-sm">
            <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} /> Disabled (its keys stop
            working)
          </label>
          <div className="space-y-3 md:col-span-2">
            <FormError message={save.error} />
            <FormSuccess message={save.success} />
            <div className="flex gap-2">
              <Button type="submit" disabled={save.pending}>
                {save.pending ? "Saving…" : editing ? "Save consumer" : "Create consumer"}
              </Button>
              <Button variant="ghost" onClick={() => router.push("/manager/consumers")}>
                Cancel
              </Button>
            </div>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
