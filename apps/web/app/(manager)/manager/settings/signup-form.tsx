"use client";

import { Button, Card, CardContent, CardHeader, CardTitle, Field, Input, Select } from "@sluice/ui";
import { useState } from "react";
import { FormError, FormSuccess } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { type SignupSettingsInput, updateSignupSettingsAction } from "./actions";

export function SignupSettingsForm({
  initial,
  teams,
  groups,
}: {
  initial: SignupSettingsInput;
  teams: Array<{ id: string; name: string }>;
  groups: Array<{ id: string; name: string }>;
}) {
  const [enabled, setEnabled] = useState(initial.enabled);
  const [domains, setDomains] = useState(initial.allowedDomains.join(", "));
  const [teamId, setTeamId] = useState(initial.defaultTeamId ?? "");
  const [groupId, setGroupId] = useState(initial.defaultGroupId ?? "");
  const save = useAction(updateSignupSettingsAction);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Developer self sign-up</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4"
          data-testid="signup-settings-form"
          onSubmit={(e) => {
            e.preventDefault();
            save.run(
              [
                {
                  enabled,
                  allowedDomains: domains
                    .split(/[\s,]+/)
                    .map((d) => d.replace(/^@/, "").trim())
                    .filter(Boolean),
                  defaultTeamId: teamId || null,
                  defaultGroupId: groupId || null,
                },
              ],
              { success: "Sign-up settings saved." },
            );
          }}
        >
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            Developers may create their own account at <code>/signup</code>
          </label>
          <Field
            label="Allowed e-mail domains"
            htmlFor="allowedDomains"
            hint="comma separated, e.g. example.com, example.org; empty = any domain"
            errors={save.fieldErrors("allowedDomains")}
          >
            <Input id="allowedDomains" value={domains} onChange={(e) => setDomains(e.target.value)} />
          </Field>
          <Field label="Default team for new developers" htmlFor="defaultTeamId" errors={save.fieldErrors("defaultTeamId")}>
            <Select id="defaultTeamId" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value="">No team</option>
              {teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label="Default consumer group for their applications"
            htmlFor="defaultGroupId"
            hint="decides which routes new applications may call"
            errors={save.fieldErrors("defaultGroupId")}
          >
            <Select id="defaultGroupId" value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              <option value="">No group</option>
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </Select>
          </Field>
          <FormError message={save.error} />
          <FormSuccess message={save.success} />
          <div>
            <Button type="submit" disabled={save.pending}>
              {save.pending ? "Saving…" : "Save"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
