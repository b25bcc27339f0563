// The Gateway nodes page's health table reads gateway_nodes.health in the shape the gateway's heartbeat writes
// (HealthRegistry.snapshot(): { configVersion, targets: [...] }) and falls back to raw JSON for anything else.

import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { HealthTable } from "@/app/(manager)/manager/nodes/health-table";

const render = (health: unknown) =>
  renderToStaticMarkup(
    createElement(HealthTable, { health, labels: { tgt_a: { route: "chat (/v1)", target: "openai · gpt-4o" } } }),
  );

describe("gateway node health", () => {
  it("shows each target's breaker state, traffic and last check", () => {
    const html = render({
      configVersion: "12",
      targets: [
        {
          targetId: "tgt_a",
          routeId: "rt_1",
          available: true,
          breaker: {
            state: "closed",
            recentFailures: 0,
            openedAt: undefined,
            retryAt: undefined,
            probeInFlight: false,
            opens: 2,
          },
          consecutiveCheckFailures: 0,
          inFlight: 3,
          ewmaLatencyMs: 412,
          requests: 120,
          failures: 4,
          lastCheck: { at: 1, ok: false, latencyMs: 5000, error: "timeout" },
        },
        {
          targetId: "tgt_b",
          available: false,
          breaker: { state: "open", retryAt: Date.UTC(2026, 0, 1, 12, 0, 30), opens: 1 },
          inFlight: 0,
          requests: 9,
          failures: 9,
        },
      ],
    });
    expect(html).toContain("openai · gpt-4o");
    expect(html).toContain("chat (/v1)");
    expect(html).toMatch(/closed.*opened 2×/);
    expect(html).toContain("412 ms");
    expect(html).toContain("120 / 4");
    expect(html).toContain("failed: timeout (5000 ms)");
    expect(html).toContain("tgt_b");
    expect(html).toMatch(/open<\/span>.*probe at 12:00:30 UTC/);
  });

  it("says so when nothing is reported, and shows unknown shapes as JSON", () => {
    expect(render(null)).toContain("reports no target health");
    expect(render({ targets: [] })).toContain("No targets are configured");
    expect(render({ something: "else" })).toContain("&quot;something&quot;");
  });
});
