"use client";

import { ROLES, type Role, UserInviteSchema, fieldErrors as zodFieldErrors } from "@sluice/db/schemas";
import { Button, Card, CardContent, CardHeader, CardTitle, Field, Input, Select } from "@sluice/ui";
import { useState } from "react";
import { OneTimeSecret } from "../_components/copy-button";
import { FormError } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { inviteUserAction, setUserRolesAction } from "./actions";

export function InviteForm({ teams }: { teams: Array<{ id: string; name: string }> }) {
  const [email, setEmail] = useState("");
  const [roles, setRoles] = useState<Role[]>(["DEVELOPER"]);
  const [teamId, setTeamId] = useState("");
  const [link, setLink] = useState<string | null>(null);
  const invite = useAction(inviteUserAction);
  if (link)
    return (
      <div className="space-y-3">
        <OneTimeSecret
          title="Invite created. Send this link: it is shown only once."
          secret={link}
          note="It works once and expires in 7 days."
        />
        <Button variant="secondary" size="sm" onClick={() => setLink(null)}>
          Invite someone else
        </Button>
      </div>
    );
  return (
    <Card>
      <CardHeader>
        <CardTitle>Invite a user</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4 md:grid-cols-3"
          onSubmit={(e) => {
            e.preventDefault();
            const payload = { email, roles, teamId: teamId || null };
            const check = UserInviteSchema.safeParse(payload);
            if (!check.success) {
              invite.setFields(zodFieldErrors(check.error));
              invite.setError("Fix the highlighted fields.");
              return;
            }
            invite.run([payload as never], { onSuccess: (d) => setLink(d.link) });
          }}
        >
          <Field label="E-mail" htmlFor="invite-email" errors={invite.fields.email}>
            <Input
              id="invite-email"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              invalid={Boolean(invite.fields.email)}
            />
          </Field>
          <Field label="Team" htmlFor="invite-team">
            <Select id="invite-team" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value="">no team</option>
              {teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </Select>
          </Field>
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-zinc-800">Roles</legend>
            <div className="flex gap-3 text-sm">
              {ROLES.map((r) => (
                <label key={r} className="inline-flex items-center gap-1.5">
                  <input
                    type="checkbox"
                    checked={roles.includes(r)}
                    onChange={(e) => setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))}
                  />
                  {r}
                </label>
              ))}
            </div>
            {invite.fields.roles ? <p className="text-xs text-red-600">{invite.fields.roles.join(" · ")}</p> : null}
          </fieldset>
          <div className="space-y-3 md:col-span-3">
            <FormError message={invite.error} />
            <Button type="submit" disabled={invite.pending}>
              {invite.pending ? "Inviting…" : "Create invite"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

export function RolesEditor({ id, roles }: { id: string; roles: Role[] }) {
  const [value, setValue] = useState<Role[]>(roles);
  const save = useAction(setUserRolesAction.bind(null, id));
  const changed = value.slice().sort().join() !== roles.slice().sort().join();
  return (
    <span className="inline-flex flex-wrap items-center gap-2 text-xs">
      {ROLES.map((r) => (
        <label key={r} className="inline-flex items-center gap-1">
          <input
            type="checkbox"
            checked={value.includes(r)}
            onChange={(e) => setValue(e.target.checked ? [...value, r] : value.filter((x) => x !== r))}
          />
          {r}
        </label>
      ))}
      {changed ? (
        <Button size="sm" disabled={save.pending} onClick={() => save.run([value as never], { success: "Roles saved." })}>
          {save.pending ? "Saving…" : "Save"}
        </Button>
      ) : null}
      {save.error ? (
        <span className="text-red-600">{save.error}</span>
      ) : save.success && !changed ? (
        <span className="text-emerald-700">{save.success}</span>
      ) : null}
    </span>
  );
}
