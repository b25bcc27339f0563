"use client";

import type { RouteView } from "@sluice/db";
import {
  BALANCER_ALGORITHMS,
  FAILOVER_CRITERIA,
  NATIVE_FORMATS,
  ROUTE_TYPES,
  RouteCreateSchema,
  fieldErrors as zodFieldErrors,
} from "@sluice/db/schemas";
import { Button, Card, CardContent, CardDescription, CardHeader, CardTitle, Field, Input, Select, Textarea } from "@sluice/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { CopyButton } from "../_components/copy-button";
import { FormError, FormSuccess } from "../_components/errors";
import { useAction } from "../_components/use-action";
import { createRouteAction, updateRouteAction } from "./actions";

interface TargetState {
  key: string;
  id?: string;
  providerId: string;
  model: string;
  alias: string;
  weight: string;
  priority: string;
  description: string;
  options: string;
  enabled: boolean;
}

let keySeq = 0;
const newKey = () => `t${++keySeq}`;

function targetsFrom(route: RouteView | null): TargetState[] {
  return (route?.targets ?? []).map((t) => ({
    key: newKey(),
    id: t.id,
    providerId: t.providerId,
    model: t.model,
    alias: t.alias ?? "",
    weight: String(t.weight),
    priority: String(t.priority),
    description: t.description ?? "",
    options: Object.keys(t.options ?? {}).length ? JSON.stringify(t.options, null, 2) : "",
    enabled: t.enabled,
  }));
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

function parseJson(text: string, fallback: unknown): { value: unknown; error: boolean } {
  if (!text.trim()) return { value: fallback, error: false };
  try {
    return { value: JSON.parse(text), error: false };
  } catch {
    return { value: fallback, error: true };
  }
}

export function RouteForm({
  route,
  providers,
  groups,
  gatewayUrl,
}: {
  route: RouteView | null;
  providers: Array<{ id: string; name: string; kind: string }>;
  groups: Array<{ id: string; name: string }>;
  gatewayUrl: string;
}) {
  const router = useRouter();
  const editing = route !== null;
  const [name, setName] = useState(route?.name ?? "");
  const [description, setDescription] = useState(route?.description ?? "");
  const [paths, setPaths] = useState((route?.paths ?? ["/v1"]).join("\n"));
  const [type, setType] = useState<string>(route?.type ?? "chat");
  const [nativeFormat, setNativeFormat] = useState(route?.nativeFormat ?? "");
  const [enabled, setEnabled] = useState(route?.enabled ?? true);
  const [targets, setTargets] = useState<TargetState[]>(() => targetsFrom(route));
  const { algorithm: initialAlgorithm, ...balancerRest } = route?.balancer ?? { algorithm: "round-robin" };
  const [algorithm, setAlgorithm] = useState<string>(initialAlgorithm ?? "round-robin");
  const [balancerExtra, setBalancerExtra] = useState(Object.keys(balancerRest).length ? pretty(balancerRest) : "");
  const retry = route?.retry;
  const [attempts, setAttempts] = useState(String(retry?.attempts ?? 1));
  const [backoffMs, setBackoffMs] = useState(String(retry?.backoffMs ?? 100));
  const [connectMs, setConnectMs] = useState(String(retry?.timeouts?.connectMs ?? 5_000));
  const [firstByteMs, setFirstByteMs] = useState(String(retry?.timeouts?.firstByteMs ?? 60_000));
  const [totalMs, setTotalMs] = useState(String(retry?.timeouts?.totalMs ?? 600_000));
  const [retryOn, setRetryOn] = useState<string[]>((retry?.on ?? ["error", "timeout", "http_5xx", "http_429"]).map(String));
  const [allowedGroupIds, setAllowedGroupIds] = useState<string[]>(route?.allowedGroups.map((g) => g.id) ?? []);
  const [options, setOptions] = useState(route && Object.keys(route.options).length ? pretty(route.options) : "");
  const save = useAction(editing ? updateRouteAction.bind(null, route.id) : createRouteAction);

  const balancerJson = parseJson(balancerExtra, {});
  const optionsJson = parseJson(options, {});
  const targetJson = targets.map((t) => parseJson(t.options, {}));

  const payload = {
    name,
    description: description.trim() || null,
    paths: paths
      .split(/[\n,]/)
      .map((p) => p.trim())
      .filter(Boolean),
    type,
    nativeFormat: type === "native" ? nativeFormat || null : null,
    enabled,
    targets: targets.map((t, i) => ({
      ...(t.id ? { id: t.id } : {}),
      providerId: t.providerId,
      model: t.model,
      alias: t.alias.trim() || null,
      weight: t.weight,
      priority: t.priority,
      description: t.description.trim() || null,
      options: targetJson[i]?.value ?? {},
      enabled: t.enabled,
    })),
    balancer: { ...(balancerJson.value as object), algorithm },
    retry: {
      // settings without a field here (maxBackoffMs, streamContinuation …) are kept as they are
      ...(route?.retry ?? {}),
      attempts,
      backoffMs,
      on: retryOn.map((c) => (/^\d+$/.test(c) ? Number(c) : c)),
      timeouts: { connectMs, firstByteMs, totalMs },
    },
    options: optionsJson.value,
    allowedGroupIds,
  };

  // numbers typed into inputs arrive as text; the preview coerces them the way the server does
  const num = (v: string) => (v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v);
  const normalized = {
    ...payload,
    retry: {
      ...payload.retry,
      attempts: num(attempts),
      backoffMs: num(backoffMs),
      timeouts: { connectMs: num(connectMs), firstByteMs: num(firstByteMs), totalMs: num(totalMs) },
    },
  };
  const preview = RouteCreateSchema.safeParse(normalized);
  const jsonErrors: Record<string, string[]> = {
    ...(balancerJson.error ? { balancer: ["not valid JSON"] } : {}),
    ...(optionsJson.error ? { options: ["not valid JSON"] } : {}),
    ...Object.fromEntries(targetJson.flatMap((j, i) => (j.error ? [[`targets.${i}.options`, ["not valid JSON"]]] : []))),
  };

  function submit() {
    if (Object.keys(jsonErrors).length || !preview.success) {
      save.setFields({ ...(preview.success ? {} : zodFieldErrors(preview.error)), ...jsonErrors });
      save.setError("Fix the highlighted fields.");
      return;
    }
    save.run([normalized as never], {
      success: editing ? "Route saved. Gateways pick it up within a second." : "Route created.",
      onSuccess: (id) => {
        if (!editing) router.push(`/manager/routes/${id}?done=created`);
      },
    });
  }

  const err = (path: string) =>
    save.fields[path] ?? jsonErrors[path] ?? Object.entries(save.fields).find(([k]) => k.startsWith(`${path}.`))?.[1];

  const firstPath = payload.paths.find((p) => p.startsWith("/")) ?? "/v1";
  const firstModel = payload.targets[0] ? payload.targets[0].alias || payload.targets[0].model || "MODEL" : "MODEL";
  const curl = `curl ${gatewayUrl}${firstPath}/chat/completions \\
  -H "Authorization: Bearer $SLUICE_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${firstModel}", "messages": [{"role": "user", "content": "Hello"}]}'`;
  const sdk = `import OpenAI from "openai";

const client = new OpenAI({ baseURL: "${gatewayUrl}${firstPath}", apiKey: process.env.SLUICE_API_KEY });
const answer = await client.chat.completions.create({
  model: "${firstModel}",
  messages: [{ role: "user", content: "Hello" }],
});
console.log(answer.choices[0].message.content);`;

  const update = (key: string, patch: Partial<TargetState>) =>
    setTargets((ts) => ts.map((t) => (t.key === key ? { ...t, ...patch } : t)));

  return (
    <form
      className="space-y-6"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Card>
        <CardHeader>
          <CardTitle>Route</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4 md:grid-cols-2">
          <Field label="Name" htmlFor="route-name" errors={err("name")}>
            <Input id="route-name" value={name} onChange={(e) => setName(e.target.value)} invalid={Boolean(err("name"))} />
          </Field>
          <Field label="Type" htmlFor="route-type" errors={err("type")}>
            <Select id="route-type" value={type} onChange={(e) => setType(e.target.value)}>
              {ROUTE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label="Paths"
            htmlFor="route-paths"
            hint="One prefix per line, e.g. /v1 (clients call /v1/chat/completions)."
            errors={err("paths")}
          >
            <Textarea
              id="route-paths"
              rows={2}
              className="font-mono text-xs"
              value={paths}
              onChange={(e) => setPaths(e.target.value)}
              invalid={Boolean(err("paths"))}
            />
          </Field>
          {type === "native" ? (
            <Field label="Native wire format" htmlFor="route-native" errors={err("nativeFormat")}>
              <Select id="route-native" value={nativeFormat} onChange={(e) => setNativeFormat(e.target.value)}>
                <option value="">choose…</option>
                {NATIVE_FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </Select>
            </Field>
          ) : (
            <Field label="Description" htmlFor="route-description" errors={err("description")}>
              <Input id="route-description" value={description} onChange={(e) => setDescription(e.target.value)} />
            </Field>
          )}
          <label className="inline-flex items-center gap-2 text-sm">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
          </label>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Targets</CardTitle>
          <CardDescription>
            Provider models this route serves. Clients ask for the alias (or the model name when there is none).
          </CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          {targets.length === 0 ? (
            <p className="text-sm text-amber-700">No targets yet: the route cannot answer until it has one.</p>
          ) : null}
          {targets.map((t, i) => (
            <div key={t.key} className="grid gap-3 rounded-md border border-zinc-200 p-3 md:grid-cols-6" data-testid="target-row">
              <Field
                label="Provider"
                htmlFor={`t-provider-${t.key}`}
                errors={err(`targets.${i}.providerId`)}
                className="md:col-span-2"
              >
                <Select
                  id={`t-provider-${t.key}`}
                  value={t.providerId}
                  onChange={(e) => update(t.key, { providerId: e.target.value })}
                >
                  <option value="">choose…</option>
                  {providers.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.kind})
                    </option>
                  ))}
                </Select>
              </Field>
              <Field
                label="Upstream model"
                htmlFor={`t-model-${t.key}`}
                errors={err(`targets.${i}.model`)}
                className="md:col-span-2"
              >
                <Input id={`t-model-${t.key}`} value={t.model} onChange={(e) => update(t.key, { model: e.target.value })} />
              </Field>
              <Field label="Alias" htmlFor={`t-alias-${t.key}`} errors={err(`targets.${i}.alias`)} className="md:col-span-2">
                <Input
                  id={`t-alias-${t.key}`}
                  value={t.alias}
                  placeholder="optional"
                  onChange={(e) => update(t.key, { alias: e.target.value })}
                />
              </Field>
              <Field label="Weight" htmlFor={`t-weight-${t.key}`} errors={err(`targets.${i}.weight`)}>
                <Input
                  id={`t-weight-${t.key}`}
                  inputMode="numeric"
                  value={t.weight}
                  onChange={(e) => update(t.key, { weight: e.target.value })}
                />
              </Field>
              <Field label="Priority" htmlFor={`t-priority-${t.key}`} errors={err(`targets.${i}.priority`)}>
                <Input
                  id={`t-priority-${t.key}`}
                  inputMode="numeric"
                  value={t.priority}
                  onChange={(e) => update(t.key, { priority: e.target.value })}
                />
              </Field>
              <Field
                label="Description"
                htmlFor={`t-desc-${t.key}`}
                className="md:col-span-2"
                hint="used by the semantic balancer"
              >
                <Input
                  id={`t-desc-${t.key}`}
                  value={t.description}
                  onChange={(e) => update(t.key, { description: e.target.value })}
                />
              </Field>
              <div className="flex items-end gap-3 md:col-span-2">
                <label className="inline-flex items-center gap-2 pb-2 text-sm">
                  <input type="checkbox" checked={t.enabled} onChange={(e) => update(t.key, { enabled: e.target.checked })} />{" "}
                  Enabled
                </label>
                <Button variant="ghost" size="sm" onClick={() => setTargets((ts) => ts.filter((x) => x.key !== t.key))}>
                  Remove
                </Button>
              </div>
              <Field
                label="Options (JSON)"
                htmlFor={`t-options-${t.key}`}
                hint='e.g. {"temperature": {"value": 0.2, "mode": "override"}, "max_tokens": {"value": 512}}'
                errors={err(`targets.${i}.options`)}
                className="md:col-span-6"
              >
                <Textarea
                  id={`t-options-${t.key}`}
                  rows={2}
                  className="font-mono text-xs"
                  value={t.options}
                  onChange={(e) => update(t.key, { options: e.target.value })}
                />
              </Field>
            </div>
          ))}
          <Button
            variant="secondary"
            size="sm"
            onClick={() =>
              setTargets((ts) => [
                ...ts,
                {
                  key: newKey(),
                  providerId: providers[0]?.id ?? "",
                  model: "",
                  alias: "",
                  weight: "100",
                  priority: "0",
                  description: "",
                  options: "",
                  enabled: true,
                },
              ])
            }
          >
            Add target
          </Button>
          {providers.length === 0 ? <p className="text-xs text-zinc-500">Add a provider first (Providers page).</p> : null}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Balancing, retries and timeouts</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4 md:grid-cols-3">
          <Field label="Algorithm" htmlFor="route-algorithm" errors={err("balancer.algorithm")}>
            <Select id="route-algorithm" value={algorithm} onChange={(e) => setAlgorithm(e.target.value)}>
              {BALANCER_ALGORITHMS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Attempts (incl. the first)" htmlFor="route-attempts" errors={err("retry.attempts")}>
            <Input id="route-attempts" inputMode="numeric" value={attempts} onChange={(e) => setAttempts(e.target.value)} />
          </Field>
          <Field label="Backoff (ms)" htmlFor="route-backoff" errors={err("retry.backoffMs")}>
            <Input id="route-backoff" inputMode="numeric" value={backoffMs} onChange={(e) => setBackoffMs(e.target.value)} />
          </Field>
          <Field label="Connect timeout (ms)" htmlFor="route-connect" errors={err("retry.timeouts.connectMs")}>
            <Input id="route-connect" inputMode="numeric" value={connectMs} onChange={(e) => setConnectMs(e.target.value)} />
          </Field>
          <Field label="First byte timeout (ms)" htmlFor="route-firstbyte" errors={err("retry.timeouts.firstByteMs")}>
            <Input
              id="route-firstbyte"
              inputMode="numeric"
              value={firstByteMs}
              onChange={(e) => setFirstByteMs(e.target.value)}
            />
          </Field>
          <Field label="Total timeout (ms)" htmlFor="route-total" errors={err("retry.timeouts.totalMs")}>
            <Input id="route-total" inputMode="numeric" value={totalMs} onChange={(e) => setTotalMs(e.target.value)} />
          </Field>
          <fieldset className="md:col-span-3">
            <legend className="mb-1 text-sm font-medium text-zinc-800">Fail over on</legend>
            <div className="flex flex-wrap gap-4 text-sm">
              {FAILOVER_CRITERIA.map((c) => (
                <label key={c} className="inline-flex items-center gap-1.5">
                  <input
                    type="checkbox"
                    checked={retryOn.includes(c)}
                    onChange={(e) => setRetryOn(e.target.checked ? [...retryOn, c] : retryOn.filter((x) => x !== c))}
                  />
                  {c}
                </label>
              ))}
            </div>
          </fieldset>
          <Field
            label="Advanced balancer settings (JSON)"
            htmlFor="route-balancer"
            hint='hashOn, probeShare, usageMetric, semantic, circuitBreaker, healthCheck … e.g. {"circuitBreaker": {"maxFails": 3}}'
            errors={err("balancer")}
            className="md:col-span-3"
          >
            <Textarea
              id="route-balancer"
              rows={3}
              className="font-mono text-xs"
              value={balancerExtra}
              onChange={(e) => setBalancerExtra(e.target.value)}
            />
          </Field>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Access and options</CardTitle>
          <CardDescription>With no group ticked, any consumer with a valid key may call the route.</CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-zinc-800">Allowed groups</legend>
            {groups.length === 0 ? <p className="text-xs text-zinc-500">No consumer groups exist yet.</p> : null}
            <div className="flex flex-wrap gap-4 text-sm">
              {groups.map((g) => (
                <label key={g.id} className="inline-flex items-center gap-1.5">
                  <input
                    type="checkbox"
                    checked={allowedGroupIds.includes(g.id)}
                    onChange={(e) =>
                      setAllowedGroupIds(
                        e.target.checked ? [...allowedGroupIds, g.id] : allowedGroupIds.filter((x) => x !== g.id),
                      )
                    }
                  />
                  {g.name}
                </label>
              ))}
            </div>
            {err("allowedGroupIds") ? <p className="text-xs text-red-600">{err("allowedGroupIds")?.join(" · ")}</p> : null}
          </fieldset>
          <Field
            label="Route options (JSON)"
            htmlFor="route-options"
            hint="auth, keyHeader, jwt, ipAllow/ipDeny, cors, bodyLimit, logPayloads, defaultMaxTokens, rules, split"
            errors={err("options")}
          >
            <Textarea
              id="route-options"
              rows={4}
              className="font-mono text-xs"
              value={options}
              onChange={(e) => setOptions(e.target.value)}
            />
          </Field>
        </CardContent>
      </Card>

      <div className="space-y-3">
        <FormError message={save.error} />
        <FormSuccess message={save.success} />
        <div className="flex gap-2">
          <Button type="submit" disabled={save.pending}>
            {save.pending ? "Saving…" : editing ? "Save route" : "Create route"}
          </Button>
          <Button variant="ghost" onClick={() => router.push("/manager/routes")}>
            Back to routes
          </Button>
        </div>
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Effective config</CardTitle>
            <CardDescription>
              What the gateway will run, defaults filled in{preview.success ? "" : " (fix the errors first)"}.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <pre className="max-h-96 overflow-auto rounded bg-zinc-950 p-3 text-xs text-zinc-100" data-testid="route-preview">
              {preview.success ? pretty(preview.data) : pretty(zodFieldErrors(preview.error))}
            </pre>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Call it</CardTitle>
            <CardDescription>With a consumer key from the API keys page.</CardDescription>
          </CardHeader>
          <CardContent className="space-y-4">
            <div className="space-y-2">
              <div className="flex items-center justify-between text-xs font-medium text-zinc-600">
                curl <CopyButton text={curl} />
              </div>
              <pre className="overflow-auto rounded bg-zinc-950 p-3 text-xs text-zinc-100" data-testid="snippet-curl">
                {curl}
              </pre>
            </div>
            <div className="space-y-2">
              <div className="flex items-center justify-between text-xs font-medium text-zinc-600">
                OpenAI SDK (Node) <CopyButton text={sdk} />
              </div>
              <pre className="overflow-auto rounded bg-zinc-950 p-3 text-xs text-zinc-100" data-testid="snippet-sdk">
                {sdk}
              </pre>
            </div>
          </CardContent>
        </Card>
      </div>
    </form>
  );
}
