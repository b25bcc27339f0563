import { PolicyConfigSchemas } from "@sluice/db/schemas";
import type { AnyPolicy, PolicyContext } from "../../src/policies/types.ts";
import type { ChatRequest } from "../../src/providers/types.ts";

export function ctxFor(request: ChatRequest | null, over: Partial<PolicyContext> = {}): PolicyContext {
  return {
    requestId: "req_test",
    consumerId: "con_1",
    keyId: "key_1",
    teamId: "team_1",
    groupIds: [],
    routeId: "rt_1",
    model: request?.model ?? "gpt-4o",
    request,
    headers: {},
    now: () => Date.UTC(2025, 0, 6, 12),
    state: new Map(),
    ...over,
  };
}

export function chat(...messages: ChatRequest["messages"]): ChatRequest {
  return { model: "gpt-4o", messages };
}

/** Parse a stored config with the shared schema, then prepare it like buildPolicySet does. */
export function prepared<T>(policy: AnyPolicy, type: keyof typeof PolicyConfigSchemas, config: unknown): T {
  const parsed = PolicyConfigSchemas[type].parse(config);
  return (policy.prepare ? policy.prepare(parsed) : parsed) as T;
}
