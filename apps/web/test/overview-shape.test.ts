import { describe, expect, it } from "vitest";
import { formatAge, nodeStatus, STALE_AFTER_MS } from "@/lib/overview-shape";

describe("gateway node status", () => {
  it("is stale without a recent heartbeat, whatever its version", () => {
    expect(nodeStatus({ appliedVersion: 5, heartbeatAgeMs: STALE_AFTER_MS + 1 }, 5)).toBe("stale");
  });
  it("is behind when it applied an older config version", () => {
    expect(nodeStatus({ appliedVersion: 4, heartbeatAgeMs: 1_000 }, 5)).toBe("behind");
  });
  it("is current when it applied the current version", () => {
    expect(nodeStatus({ appliedVersion: 5, heartbeatAgeMs: STALE_AFTER_MS }, 5)).toBe("current");
  });
});

describe("formatAge", () => {
  it("uses the largest sensible unit", () => {
    expect(formatAge(0)).toBe("0 s ago");
    expect(formatAge(59_999)).toBe("59 s ago");
    expect(formatAge(60_000)).toBe("1 min ago");
    expect(formatAge(3 * 3_600_000)).toBe("3 h ago");
    expect(formatAge(72 * 3_600_000)).toBe("3 d ago");
  });
});
