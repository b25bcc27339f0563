"use client";

import { Badge, Button, Input, Label } from "@sluice/ui";
import { type FormEvent, useState, useTransition } from "react";
import { type PlaygroundAnswer, sendPlaygroundPromptAction } from "../actions";

export interface PlaygroundRoute {
  id: string;
  name: string;
  models: string[];
}

/**
 * Send one prompt through the gateway with one of your keys. The key lives only in this component's state (pasted,
 * or handed over right after it was issued); the server uses it for the one call and keeps nothing.
 */
export function PlaygroundForm({ routes, initialKey = "" }: { routes: PlaygroundRoute[]; initialKey?: string }) {
  const [key, setKey] = useState(initialKey);
  const [routeId, setRouteId] = useState(routes[0]?.id ?? "");
  const route = routes.find((r) => r.id === routeId);
  const [model, setModel] = useState(route?.models[0] ?? "");
  const [answer, setAnswer] = useState<PlaygroundAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const prompt = String(new FormData(event.currentTarget).get("prompt") ?? "");
    setError(null);
    setAnswer(null);
    startTransition(async () => {
      const result = await sendPlaygroundPromptAction({ key, routeId, model, prompt });
      if (!result.ok) return setError(result.error);
      setAnswer(result.data);
    });
  }

  if (routes.length === 0)
    return <p className="text-sm text-zinc-500">No routes are open to you yet, so there is nothing to try.</p>;

  return (
    <form onSubmit={onSubmit} className="space-y-3" data-testid="playground">
      {initialKey ? null : (
        <div className="space-y-1.5">
          <Label htmlFor="pg-key">API key</Label>
          <Input
            id="pg-key"
            type="password"
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="sk-sluice-…"
            required
          />
          <p className="text-xs text-zinc-500">Used for this call only; Sluice never stores a key in plaintext.</p>
        </div>
      )}
      <div className="flex flex-wrap gap-3">
        <div className="space-y-1.5">
          <Label htmlFor="pg-route">Route</Label>
          <select
            id="pg-route"
            value={routeId}
            onChange={(e) => {
              setRouteId(e.target.value);
              setModel(routes.find((r) => r.id === e.target.value)?.models[0] ?? "");
            }}
            className="h-10 rounded-md border border-zinc-300 bg-white px-3 text-sm"
          >
            {routes.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="pg-model">Model</Label>
          <select
            id="pg-model"
            value={model}
            onChange={(e) => setModel(e.target.value)}
            className="h-10 rounded-md border border-zinc-300 bg-white px-3 text-sm"
          >
            {(route?.models ?? []).map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="pg-prompt">Prompt</Label>
        <textarea
          id="pg-prompt"
          name="prompt"
          required
          rows={3}
          defaultValue="Say hello in five words."
          className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-xs"
        />
      </div>
      <Button type="submit" disabled={pending || !key}>
        {pending ? "Sending…" : "Send test prompt"}
      </Button>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {answer ? (
        <div className="space-y-2 rounded-md border border-zinc-200 bg-zinc-50 p-3 text-sm" data-testid="playground-answer">
          <div className="flex flex-wrap items-center gap-2 text-xs text-zinc-500">
            <Badge tone={answer.status < 400 ? "success" : "danger"}>HTTP {answer.status}</Badge>
            <span>{answer.latencyMs} ms</span>
            {answer.usage ? (
              <span>
                {answer.usage.prompt_tokens ?? 0} in · {answer.usage.completion_tokens ?? 0} out tokens
              </span>
            ) : null}
            {answer.requestId ? <code>{answer.requestId}</code> : null}
          </div>
          {answer.error ? (
            <p className="text-red-700">
              {answer.error.type ? <strong>{answer.error.type}: </strong> : null}
              {answer.error.message}
            </p>
          ) : (
            <p className="whitespace-pre-wrap text-zinc-900">{answer.content ?? "(no text)"}</p>
          )}
        </div>
      ) : null}
    </form>
  );
}
