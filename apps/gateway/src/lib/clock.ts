// Injected time, so tests can move it. `now()` is wall-clock ms (timestamps); `mono()` is a monotonic ms reading
// with sub-ms resolution (durations).

import { performance } from "node:perf_hooks";

export interface Clock {
  now(): number;
  mono(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  mono: () => performance.now(),
};
