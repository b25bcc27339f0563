// Prometheus metrics (prom-client) on a registry of the app's own (two apps in one test process never collide).
// Counters carry provider, model, route and consumer; histograms carry provider, model and route (a consumer label
// on histograms multiplies series by ~20 buckets each). Label children are cached per label combination, so a
// request costs a few Map lookups, not a label hash per metric.

import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

const BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

export interface RequestObservation {
  route: string;
  provider: string;
  model: string;
  consumer: string;
  status: number;
  errorType: string | null;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  currency: string;
  latencyS: number;
  upstreamS: number | null;
  ttftS: number | null;
}

interface Children {
  labels: { route: string; provider: string; model: string; consumer: string };
  requests: Map<number, ReturnType<Counter["labels"]>>;
  cost: Map<string, ReturnType<Counter["labels"]>>;
  errors: Map<string, ReturnType<Counter["labels"]>>;
  prompt: ReturnType<Counter["labels"]>;
  completion: ReturnType<Counter["labels"]>;
  upstream: ReturnType<Histogram["labels"]>;
  overhead: ReturnType<Histogram["labels"]>;
  ttft: ReturnType<Histogram["labels"]>;
  latency: ReturnType<Histogram["labels"]>;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter;
  private readonly tokens: Counter;
  private readonly cost: Counter;
  private readonly errors: Counter;
  private readonly upstream: Histogram;
  private readonly overhead: Histogram;
  private readonly ttft: Histogram;
  private readonly latency: Histogram;
  private readonly children = new Map<string, Children>();

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const r = this.registry;
    const labels = ["route", "provider", "model", "consumer"];
    const hLabels = ["route", "provider", "model"];
    this.requests = new Counter({
      name: "sluice_requests_total",
      help: "Requests answered, by status",
      labelNames: [...labels, "status"],
      registers: [r],
    });
    this.tokens = new Counter({
      name: "sluice_tokens_total",
      help: "Tokens, direction in (prompt) or out (completion)",
      labelNames: [...labels, "direction"],
      registers: [r],
    });
    this.cost = new Counter({
      name: "sluice_cost_total",
      help: "Cost from the price table (the exact figure is in usage_events)",
      labelNames: [...labels, "currency"],
      registers: [r],
    });
    this.errors = new Counter({
      name: "sluice_errors_total",
      help: "Errors by type (caller, policy, provider, gateway) and code",
      labelNames: [...labels, "type", "code"],
      registers: [r],
    });
    this.upstream = new Histogram({
      name: "sluice_upstream_latency_seconds",
      help: "Time from sending the upstream request to its last byte",
      labelNames: hLabels,
      buckets: BUCKETS_S,
      registers: [r],
    });
    this.overhead = new Histogram({
      name: "sluice_gateway_overhead_seconds",
      help: "Request time not spent waiting on the upstream",
      labelNames: hLabels,
      buckets: OVERHEAD_BUCKETS_S,
      registers: [r],
    });
    this.ttft = new Histogram({
      name: "sluice_ttft_seconds",
      help: "Time to the first streamed body byte",
      labelNames: hLabels,
      buckets: BUCKETS_S,
      registers: [r],
    });
    this.latency = new Histogram({
      name: "sluice_request_duration_seconds",
      help: "Whole request time as seen by the gateway",
      labelNames: hLabels,
      buckets: BUCKETS_S,
      registers: [r],
    });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: r, prefix: "sluice_" });
  }

  private childrenFor(o: RequestObservation): Children {
    const key = `${o.route}\u0000${o.provider}\u0000${o.model}\u0000${o.consumer}`;
    let c = this.children.get(key);
    if (!c) {
      const l = { route: o.route, provider: o.provider, model: o.model, consumer: o.consumer };
      const h = { route: o.route, provider: o.provider, model: o.model };
      c = {
        labels: l,
        requests: new Map(),
        cost: new Map(),
        errors: new Map(),
        prompt: this.tokens.labels({ ...l, direction: "in" }),
        completion: this.tokens.labels({ ...l, direction: "out" }),
        upstream: this.upstream.labels(h),
        overhead: this.overhead.labels(h),
        ttft: this.ttft.labels(h),
        latency: this.latency.labels(h),
      };
      if (this.children.size > 50_000) this.children.clear();
      this.children.set(key, c);
    }
    return c;
  }

  observe(o: RequestObservation): void {
    const c = this.childrenFor(o);
    this.requests.inc({ route: o.route, provider: o.provider, model: o.model, consumer: o.consumer, status: o.status });
    if (o.promptTokens) c.prompt.inc(o.promptTokens);
    if (o.completionTokens) c.completion.inc(o.completionTokens);
    if (o.cost > 0)
      this.cost.inc({ route: o.route, provider: o.provider, model: o.model, consumer: o.consumer, currency: o.currency }, o.cost);
    if (o.errorType) {
      this.errors.inc({
        route: o.route,
        provider: o.provider,
        model: o.model,
        consumer: o.consumer,
        type: o.errorType,
        code: o.errorCode ?? "",
      });
    }
    c.latency.observe(o.latencyS);
    if (o.upstreamS !== null) {
      c.upstream.observe(o.upstreamS);
      c.overhead.observe(Math.max(0, o.latencyS - o.upstreamS));
    }
    if (o.ttftS !== null) c.ttft.observe(o.ttftS);
  }
}
