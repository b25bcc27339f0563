"use client";

import type { ProviderView } from "@sluice/db";
import {
  PROVIDER_KINDS,
  ProviderCreateSchema,
  ProviderRotateSchema,
  ProviderUpdateSchema,
  fieldErrors as zodFieldErrors,
} from "@sluice/db/schemas";
import { Button, Card, CardContent, CardHeader, CardTitle, Field, Input, Select, Textarea } from "@sluice/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormError, FormSuccess } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { createProviderAction, rotateProviderCredentialsAction, updateProviderAction } from "./actions";

type CredentialMode = "keep" | "stored" | "env" | "file" | "vault" | "none";

const KEY_FIELDS: Record<string, Array<{ name: string; label: string }>> = {
  bedrock: [
    { name: "accessKeyId", label: "Access key id" },
    { name: "secretAccessKey", label: "Secret access key" },
    { name: "sessionToken", label: "Session token (optional)" },
  ],
  vertex: [{ name: "accessToken", label: "Access token" }],
};
const keyFields = (kind: string) => KEY_FIELDS[kind] ?? [{ name: "apiKey", label: "API key" }];

function initialMode(p: ProviderView | null): CredentialMode {
  if (!p) return "stored";
  if (p.hasCredentials || p.credentialsRef) return "keep";
  return "none";
}

export function ProviderForm({ provider }: { provider: ProviderView | null }) {
  const router = useRouter();
  const editing = provider !== null;
  const [name, setName] = useState(provider?.name ?? "");
  const [kind, setKind] = useState<string>(provider?.kind ?? "openai");
  const [baseUrl, setBaseUrl] = useState(provider?.baseUrl ?? "");
  const [settings, setSettings] = useState(JSON.stringify(provider?.settings ?? {}, null, 2));
  const [mode, setMode] = useState<CredentialMode>(initialMode(provider));
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const ref = (provider?.credentialsRef ?? {}) as { env?: Record<string, string>; file?: string; vault?: Record<string, string> };
  const [envNames, setEnvNames] = useState<Record<string, string>>(ref.env ?? {});
  const [file, setFile] = useState(ref.file ?? "");
  const [vault, setVault] = useState<Record<string, string>>(
    ref.vault ?? { address: "", mount: "secret", path: "", tokenEnv: "VAULT_TOKEN" },
  );
  const [allowOverride, setAllowOverride] = useState(provider?.allowOverride ?? false);
  const [enabled, setEnabled] = useState(provider?.enabled ?? true);
  const [rotateGrace, setRotateGrace] = useState("3600");
  const save = useAction(editing ? updateProviderAction.bind(null, provider.id) : createProviderAction);
  const rotate = useAction(rotateProviderCredentialsAction.bind(null, provider?.id ?? ""));

  function credentialsPayload(): Record<string, unknown> {
    const nonEmpty = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v.trim() !== ""));
    switch (mode) {
      case "stored": {
        const given = nonEmpty(secrets);
        // nothing typed: keep what is stored (edit) or store nothing (create)
        return Object.keys(given).length ? { credentials: given, credentialsRef: null } : {};
      }
      case "env":
        return { credentialsRef: { env: nonEmpty(envNames) }, credentials: null };
      case "file":
        return { credentialsRef: { file }, credentials: null };
      case "vault":
        return { credentialsRef: { vault: nonEmpty(vault) }, credentials: null };
      case "none":
        return { credentials: null, credentialsRef: null };
      default:
        return {};
    }
  }

  function submit() {
    let parsedSettings: unknown;
    try {
      parsedSettings = JSON.parse(settings || "{}");
    } catch {
      save.setFields({ settings: ["not valid JSON"] });
      save.setError("Fix the highlighted fields.");
      return;
    }
    const payload: Record<string, unknown> = {
      name,
      kind,
      baseUrl: baseUrl.trim() || null,
      settings: parsedSettings,
      allowOverride,
      enabled,
      ...credentialsPayload(),
    };
    // the same schema the server applies: errors show before the round trip
    const check = (editing ? ProviderUpdateSchema : ProviderCreateSchema).safeParse(
      mode === "stored" || !editing ? payload : { ...payload, credentials: undefined },
    );
    if (!check.success) {
      save.setFields(zodFieldErrors(check.error));
      save.setError("Fix the highlighted fields.");
      return;
    }
    if (payload.credentials === null && !editing) delete payload.credentials;
    if (payload.credentialsRef === null && !editing) delete payload.credentialsRef;
    save.run([payload as never], {
      success: editing ? "Provider saved." : "Provider created.",
      onSuccess: () => router.push(`/manager/providers?done=${editing ? "updated" : "created"}`),
    });
  }

  const err = (path: string) => save.fields[path] ?? Object.entries(save.fields).find(([k]) => k.startsWith(`${path}.`))?.[1];

  return (
    <Card>
      <CardHeader>
        <CardTitle>{editing ? `Edit provider ${provider.name}` : "Add a provider"}</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4 md:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Field label="Name" htmlFor="provider-name" errors={err("name")}>
            <Input id="provider-name" value={name} onChange={(e) => setName(e.target.value)} invalid={Boolean(err("name"))} />
          </Field>
          <Field label="Kind" htmlFor="provider-kind" errors={err("kind")}>
            <Select id="provider-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {PROVIDER_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label="Base URL"
            htmlFor="provider-base-url"
            hint="Leave empty for the provider's public endpoint."
            errors={err("baseUrl")}
            className="md:col-span-2"
          >
            <Input
              id="provider-base-url"
              value={baseUrl}
              placeholder="https://api.openai.com/v1"
              onChange={(e) => setBaseUrl(e.target.value)}
              invalid={Boolean(err("baseUrl"))}
            />
          </Field>

          <fieldset className="space-y-3 md:col-span-2">
            <legend className="text-sm font-medium text-zinc-800">Credentials</legend>
            <div className="flex flex-wrap gap-3 text-sm">
              {(
                [
                  ...(editing && (provider.hasCredentials || provider.credentialsRef) ? [["keep", "Keep current"]] : []),
                  ["stored", "Store encrypted"],
                  ["env", "Environment variable"],
                  ["file", "File"],
                  ["vault", "Vault KV v2"],
                  ["none", "None"],
                ] as Array<[CredentialMode, string]>
              ).map(([m, label]) => (
                <label key={m} className="inline-flex items-center gap-1.5">
                  <input type="radio" name="credential-mode" checked={mode === m} onChange={() => setMode(m)} />
                  {label}
                </label>
              ))}
            </div>
            {mode === "stored"
              ? keyFields(kind).map((f) => (
                  <Field
                    key={f.name}
                    label={f.label}
                    htmlFor={`cred-${f.name}`}
                    errors={err(`credentials.${f.name}`) ?? err("credentials")}
                  >
                    <Input
                      id={`cred-${f.name}`}
                      type="password"
                      autoComplete="off"
                      value={secrets[f.name] ?? ""}
                      onChange={(e) => setSecrets({ ...secrets, [f.name]: e.target.value })}
                      placeholder={editing && provider.hasCredentials ? "•••••••• (stored; type to replace)" : ""}
                    />
                  </Field>
                ))
              : null}
            {mode === "env"
              ? keyFields(kind).map((f) => (
                  <Field
                    key={f.name}
                    label={`${f.label}: variable name`}
                    htmlFor={`env-${f.name}`}
                    errors={err("credentialsRef")}
                  >
                    <Input
                      id={`env-${f.name}`}
                      value={envNames[f.name] ?? ""}
                      placeholder="OPENAI_API_KEY"
                      onChange={(e) => setEnvNames({ ...envNames, [f.name]: e.target.value })}
                    />
                  </Field>
                ))
              : null}
            {mode === "file" ? (
              <Field label="File with the credential JSON" htmlFor="cred-file" errors={err("credentialsRef")}>
                <Input
                  id="cred-file"
                  value={file}
                  placeholder="/run/secrets/openai.json"
                  onChange={(e) => setFile(e.target.value)}
                />
              </Field>
            ) : null}
            {mode === "vault" ? (
              <div className="grid gap-3 md:grid-cols-2">
                {(["address", "mount", "path", "tokenEnv"] as const).map((k) => (
                  <Field key={k} label={k} htmlFor={`vault-${k}`} errors={err(`credentialsRef.vault.${k}`)}>
                    <Input
                      id={`vault-${k}`}
                      value={vault[k] ?? ""}
                      onChange={(e) => setVault({ ...vault, [k]: e.target.value })}
                    />
                  </Field>
                ))}
              </div>
            ) : null}
          </fieldset>

          <Field
            label="Endpoint settings (JSON)"
            htmlFor="provider-settings"
            hint="apiVersion, deployments, region, project, headers …"
            errors={err("settings")}
            className="md:col-span-2"
          >
            <Textarea
              id="provider-settings"
              rows={4}
              className="font-mono text-xs"
              value={settings}
              onChange={(e) => setSettings(e.target.value)}
              invalid={Boolean(err("settings"))}
            />
          </Field>
          <div className="flex gap-6 text-sm md:col-span-2">
            <label className="inline-flex items-center gap-2">
              <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
            </label>
            <label className="inline-flex items-center gap-2">
              <input type="checkbox" checked={allowOverride} onChange={(e) => setAllowOverride(e.target.checked)} /> Clients may
              bring their own key
            </label>
          </div>
          <div className="space-y-3 md:col-span-2">
            <FormError message={save.error} />
            <FormSuccess message={save.success} />
            <div className="flex gap-2">
              <Button type="submit" disabled={save.pending}>
                {save.pending ? "Saving…" : editing ? "Save provider" : "Create provider"}
              </Button>
              <Button variant="ghost" onClick={() => router.push("/manager/providers")}>
                Cancel
              </Button>
            </div>
          </div>
        </form>

        {editing && provider.hasCredentials ? (
          <form
            className="mt-6 space-y-3 border-t border-zinc-100 pt-4"
            onSubmit={(e) => {
              e.preventDefault();
              const input = {
                credentials: Object.fromEntries(Object.entries(secrets).filter(([, v]) => v)),
                graceSeconds: rotateGrace,
              };
              const check = ProviderRotateSchema.safeParse(input);
              if (!check.success || Object.keys(input.credentials).length === 0) {
                rotate.setError("Type the new credential in the fields above (mode “Store encrypted”) first.");
                return;
              }
              rotate.run([input as never], { success: "Credential rotated. The old one keeps working during the grace period." });
            }}
          >
            <p className="text-sm font-medium text-zinc-800">Rotate without downtime</p>
            <p className="text-xs text-zinc-500">
              The new credential (typed above) is used at once; the current one stays valid for the grace period so requests in
              flight and gateways a version behind keep working.
            </p>
            <div className="flex items-end gap-2">
              <Field label="Grace (seconds)" htmlFor="rotate-grace">
                <Input id="rotate-grace" className="w-32" value={rotateGrace} onChange={(e) => setRotateGrace(e.target.value)} />
              </Field>
              <Button type="submit" variant="secondary" disabled={rotate.pending}>
                {rotate.pending ? "Rotating…" : "Rotate credential"}
              </Button>
            </div>
            <FormError message={rotate.error} />
            <FormSuccess message={rotate.success} />
          </form>
        ) : null}
      </CardContent>
    </Card>
  );
}
