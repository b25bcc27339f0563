// A plugin whose hooks and decorations apply to the whole app (what fastify-plugin does: skip encapsulation).

import type { FastifyInstance } from "fastify";

export function global<T extends (app: FastifyInstance) => Promise<void> | void>(fn: T, name: string): T {
  const f = fn as unknown as Record<symbol, unknown>;
  f[Symbol.for("skip-override")] = true;
  f[Symbol.for("fastify.display-name")] = name;
  return fn;
}
