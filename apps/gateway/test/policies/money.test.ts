import { describe, expect, it } from "vitest";
import { compilePrice, costNano, formatNano, parseDecimal, toNano } from "../../src/policies/budget/money.ts";

describe("money in nano-units", () => {
  it("parses decimals exactly, including exponent notation", () => {
    expect(parseDecimal("12.3400")).toEqual({ digits: 123400n, scale: 4 });
    expect(parseDecimal("1e-7")).toEqual({ digits: 1n, scale: 7 });
    expect(parseDecimal("2.5E3")).toEqual({ digits: 2500n, scale: 0 });
    expect(parseDecimal(0.1)).toEqual({ digits: 1n, scale: 1 });
    expect(parseDecimal({ toString: () => "-0.05" })).toEqual({ digits: -5n, scale: 2 });
    expect(() => parseDecimal("abc")).toThrow();
  });

  it("converts amounts to nano-units (rounding down) and back", () => {
    expect(toNano("10")).toBe(10_000_000_000n);
    expect(toNano("0.000000001")).toBe(1n);
    expect(toNano("0.0000000019")).toBe(1n);
    expect(formatNano(12_345_000_000n)).toBe("12.345");
    expect(formatNano(5n)).toBe("0.000000005");
    expect(() => toNano("10000000")).toThrow(RangeError);
  });

  it("computes request costs exactly where floating point would not", () => {
    const price = compilePrice({ input: "0.15", output: "0.6" }); // gpt-4o-mini per 1M
    expect(costNano({ promptTokens: 1, completionTokens: 0 }, price)).toBe(150n);
    expect(costNano({ promptTokens: 1000, completionTokens: 500 }, price)).toBe(150_000n + 300_000n);
    // 0.1 + 0.2 style: ten requests of 0.1 units each sum to exactly 1
    const tenth = compilePrice({ input: "100000", output: "0" }); // 0.1 per token
    let sum = 0n;
    for (let i = 0; i < 10; i++) sum += costNano({ promptTokens: 1, completionTokens: 0 }, tenth);
    expect(sum).toBe(1_000_000_000n);
  });

  it("rounds a fractional nano up once per request", () => {
    const price = compilePrice({ input: "0.0001", output: "0" }); // 0.1 nano per token
    expect(costNano({ promptTokens: 1, completionTokens: 0 }, price)).toBe(1n);
    expect(costNano({ promptTokens: 25, completionTokens: 0 }, price)).toBe(3n);
  });

  it("prices cached prompt tokens and reasoning tokens separately", () => {
    const price = compilePrice({ input: "2.50", output: "10", cached: "1.25", reasoning: "20" });
    const c = costNano({ promptTokens: 1000, cachedTokens: 400, completionTokens: 100, reasoningTokens: 60 }, price);
    // 600 x 2.5 + 400 x 1.25 + 40 x 10 + 60 x 20 = 1500 + 500 + 400 + 1200 = 3600 (per 1M) -> 0.0036 units
    expect(c).toBe(3_600_000n);
    const noCached = compilePrice({ input: "2.50", output: "10" });
    expect(costNano({ promptTokens: 1000, cachedTokens: 400, completionTokens: 0 }, noCached)).toBe(2_500_000n);
  });
});
