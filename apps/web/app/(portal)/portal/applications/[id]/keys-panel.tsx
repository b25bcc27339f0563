"use client";

import {
  Badge,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  EmptyState,
  formatMoney,
  Input,
  Label,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
} from "@sluice/ui";
import { useRouter } from "next/navigation";
import { type FormEvent, useState, useTransition } from "react";
import { issueKeyAction, revokeKeyAction, rotateKeyAction } from "../../actions";
import { CopyButton } from "../../copy-button";
import { PlaygroundForm } from "../../playground/playground-form";

interface BudgetView {
  id: string;
  name: string;
  metric: "TOKENS" | "COST";
  limit: string;
  currency: string;
  period: string;
  spent: string;
  remaining: string;
}

interface KeyView {
  id: string;
  name: string;
  start: string;
  status: "ACTIVE" | "REVOKED";
  allowedRoutes: string[];
  allowedModels: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  rotatedFromId: string | null;
  budgets: BudgetView[];
}

interface RouteView {
  id: string;
  name: string;
  type: string;
  models: string[];
}

const when = (iso: string | null, none = "—") => (iso ? iso.replace("T", " ").slice(0, 16) : none);

function budgetText(b: BudgetView): string {
  const per = b.period === "TOTAL" ? "total" : b.period.toLowerCase();
  if (b.metric === "TOKENS") return `${b.remaining} of ${b.limit} tokens left (${per})`;
  return `${formatMoney(b.remaining, b.currency)} of ${formatMoney(b.limit, b.currency)} left (${per})`;
}

export function KeysPanel({
  application,
  keys,
  budgets,
  routes,
  canWrite,
}: {
  application: { id: string; name: string; disabled: boolean };
  keys: KeyView[];
  budgets: BudgetView[];
  routes: RouteView[];
  canWrite: boolean;
}) {
  const router = useRouter();
  const [issued, setIssued] = useState<{ plaintext: string; name: string; start: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [pickedRoutes, setPickedRoutes] = useState<string[]>([]);
  const [pending, startTransition] = useTransition();
  const routeName = (id: string) => routes.find((r) => r.id === id)?.name ?? id;
  const modelChoices = [
    ...new Set((pickedRoutes.length ? routes.filter((r) => pickedRoutes.includes(r.id)) : routes).flatMap((r) => r.models)),
  ];

  function onIssue(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const formEl = event.currentTarget;
    setError(null);
    setFields({});
    startTransition(async () => {
      const expires = String(form.get("expiresAt") ?? "");
      const result = await issueKeyAction({
        consumerId: application.id,
        name: String(form.get("name") ?? ""),
        expiresAt: expires ? new Date(`${expires}T23:59:59Z`).toISOString() : null,
        allowedRoutes: form.getAll("allowedRoutes").map(String),
        allowedModels: form.getAll("allowedModels").map(String),
        budgetLimit: String(form.get("budgetLimit") ?? "") || null,
        budgetPeriod: String(form.get("budgetPeriod") ?? "MONTH") as "MONTH",
      });
      if (!result.ok) {
        setError(result.error);
        setFields(result.fields ?? {});
        return;
      }
      setIssued({ plaintext: result.data.plaintext, name: result.data.name, start: result.data.start });
      formEl.reset();
      setPickedRoutes([]);
      router.refresh();
    });
  }

  function onRevoke(key: KeyView) {
    if (!window.confirm(`Revoke ${key.name} (${key.start}…)? Calls with it fail at once.`)) return;
    startTransition(async () => {
      const result = await revokeKeyAction(key.id);
      if (!result.ok) return setError(result.error);
      router.refresh();
    });
  }

  function onRotate(key: KeyView) {
    if (!window.confirm(`Rotate ${key.name}? A new key replaces it and the old one stops working at once.`)) return;
    startTransition(async () => {
      const result = await rotateKeyAction(key.id);
      if (!result.ok) return setError(result.error);
      setIssued({ plaintext: result.data.plaintext, name: result.data.name, start: result.data.start });
      router.refresh();
    });
  }

  return (
    <div className="space-y-6">
      {issued ? (
        <Card className="border-emerald-300 ring-1 ring-emerald-200" data-testid="new-key">
          <CardHeader>
            <CardTitle>Your new key “{issued.name}”</CardTitle>
            <CardDescription>Copy it now: it is shown once and Sluice keeps only its hash.</CardDescription>
          </CardHeader>
          <CardContent className="space-y-4">
            <div className="flex flex-wrap items-center gap-2">
              <code className="rounded bg-zinc-100 px-2 py-1 font-mono text-sm break-all" data-testid="new-key-plaintext">
                {issued.plaintext}
              </code>
              <CopyButton text={issued.plaintext} />
              <Button variant="ghost" size="sm" onClick={() => setIssued(null)}>
                Done
              </Button>
            </div>
            <details>
              <summary className="cursor-pointer text-sm font-medium text-zinc-700">
                Try it: send a test prompt with this key
              </summary>
              <div className="mt-3">
                <PlaygroundForm
                  initialKey={issued.plaintext}
                  routes={routes.filter((r) => r.type === "chat").map((r) => ({ id: r.id, name: r.name, models: r.models }))}
                />
              </div>
            </details>
          </CardContent>
        </Card>
      ) : null}

      {budgets.length ? (
        <Card>
          <CardHeader>
            <CardTitle>Application budgets</CardTitle>
          </CardHeader>
          <CardContent>
            <ul className="space-y-1 text-sm">
              {budgets.map((b) => (
                <li key={b.id}>
                  <span className="font-medium">{b.name}</span>: {budgetText(b)}
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle>Keys</CardTitle>
        </CardHeader>
        {keys.length === 0 ? (
          <div className="px-5 py-8 text-center text-sm text-zinc-500">No keys yet.</div>
        ) : (
          <Table data-testid="keys-table">
            <THead>
              <tr>
                <TH>Key</TH>
                <TH>Status</TH>
                <TH>Scopes</TH>
                <TH>Budget</TH>
                <TH>Expires</TH>
                <TH>Last used</TH>
                <TH />
              </tr>
            </THead>
            <TBody>
              {keys.map((k) => (
                <TR key={k.id} data-testid={`key-row-${k.name}`}>
                  <TD>
                    <div className="font-medium text-zinc-900">{k.name}</div>
                    <code className="text-xs text-zinc-500">{k.start}…</code>
                  </TD>
                  <TD>
                    <Badge tone={k.status === "ACTIVE" ? "success" : "neutral"}>{k.status.toLowerCase()}</Badge>
                  </TD>
                  <TD className="text-xs">
                    <div>routes: {k.allowedRoutes.length ? k.allowedRoutes.map(routeName).join(", ") : "all yours"}</div>
                    <div>models: {k.allowedModels.length ? k.allowedModels.join(", ") : "all"}</div>
                  </TD>
                  <TD className="text-xs">{k.budgets.length ? k.budgets.map(budgetText).join("; ") : "—"}</TD>
                  <TD className="text-xs tabular-nums">{when(k.expiresAt, "never")}</TD>
                  <TD className="text-xs tabular-nums">{when(k.lastUsedAt, "never")}</TD>
                  <TD className="text-right whitespace-nowrap">
                    {canWrite && k.status === "ACTIVE" ? (
                      <span className="inline-flex gap-1">
                        <Button
                          variant="secondary"
                          size="sm"
                          disabled={pending || application.disabled}
                          onClick={() => onRotate(k)}
                        >
                          Rotate
                        </Button>
                        <Button variant="danger" size="sm" disabled={pending} onClick={() => onRevoke(k)}>
                          Revoke
                        </Button>
                      </span>
                    ) : null}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>

      {canWrite && !application.disabled ? (
        <Card>
          <CardHeader>
            <CardTitle>Issue a key</CardTitle>
            <CardDescription>Limit it to some of your routes and models, give it an expiry or its own budget.</CardDescription>
          </CardHeader>
          <CardContent>
            {routes.length === 0 ? (
              <EmptyState
                title="No routes are open to this application"
                description="Keys would not be able to call anything yet."
              />
            ) : null}
            <form onSubmit={onIssue} className="space-y-4" data-testid="issue-key-form">
              <div className="grid gap-4 md:grid-cols-2">
                <div className="space-y-1.5">
                  <Label htmlFor="key-name">Name</Label>
                  <Input
                    id="key-name"
                    name="name"
                    required
                    maxLength={100}
                    placeholder="e.g. production"
                    invalid={Boolean(fields.name)}
                  />
                </div>
                <div className="space-y-1.5">
                  <Label htmlFor="key-expires">Expires (optional)</Label>
                  <Input id="key-expires" name="expiresAt" type="date" invalid={Boolean(fields.expiresAt)} />
                </div>
              </div>
              <fieldset className="space-y-1.5">
                <legend className="text-sm font-medium text-zinc-800">Routes (none checked = all yours)</legend>
                <div className="flex flex-wrap gap-3">
                  {routes.map((r) => (
                    <label key={r.id} className="flex items-center gap-1.5 text-sm">
                      <input
                        type="checkbox"
                        name="allowedRoutes"
                        value={r.id}
                        checked={pickedRoutes.includes(r.id)}
                        onChange={(e) => setPickedRoutes((p) => (e.target.checked ? [...p, r.id] : p.filter((x) => x !== r.id)))}
                      />
                      {r.name}
                    </label>
                  ))}
                </div>
              </fieldset>
              <fieldset className="space-y-1.5">
                <legend className="text-sm font-medium text-zinc-800">Models (none checked = all on those routes)</legend>
                <div className="flex flex-wrap gap-3">
                  {modelChoices.map((m) => (
                    <label key={m} className="flex items-center gap-1.5 text-sm">
                      <input type="checkbox" name="allowedModels" value={m} />
                      <span className="font-mono text-xs">{m}</span>
                    </label>
                  ))}
                </div>
              </fieldset>
              <div className="grid gap-4 md:grid-cols-2">
                <div className="space-y-1.5">
                  <Label htmlFor="key-budget">Budget in USD (optional)</Label>
                  <Input
                    id="key-budget"
                    name="budgetLimit"
                    inputMode="decimal"
                    placeholder="e.g. 25"
                    invalid={Boolean(fields.budgetLimit)}
                  />
                </div>
                <div className="space-y-1.5">
                  <Label htmlFor="key-budget-period">Budget period</Label>
                  <select
                    id="key-budget-period"
                    name="budgetPeriod"
                    defaultValue="MONTH"
                    className="h-10 w-full rounded-md border border-zinc-300 bg-white px-3 text-sm"
                  >
                    <option value="DAY">per day</option>
                    <option value="WEEK">per week</option>
                    <option value="MONTH">per month</option>
                    <option value="TOTAL">in total</option>
                  </select>
                </div>
              </div>
              {error ? (
                <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-red-200 ring-inset">
                  {error}
                </p>
              ) : null}
              <Button type="submit" disabled={pending}>
                {pending ? "Issuing…" : "Issue key"}
              </Button>
            </form>
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}
