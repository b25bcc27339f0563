// The built-in "rate-limit" policy. Its counting is not done in `decide`: every applicable rate limit and budget of
// a request is reserved together in one atomic limiter call (engine.ts `reserveLimits`), so the policy object only
// carries the type, phase and config schema; PolicySet.rateLimits() hands the configs to the engine.

import type { RateLimitConfig } from "@sluice/db/schemas";
import { RateLimitConfigSchema } from "@sluice/db/schemas";
import { ALLOW, type Policy } from "../types.ts";

export const rateLimitPolicy: Policy<RateLimitConfig, RateLimitConfig> = {
  type: "rate-limit",
  phase: "limit",
  configSchema: RateLimitConfigSchema,
  decide: () => ALLOW,
};
