import { describe, expect, it } from "vitest";
import { SemanticBalancer } from "../../src/balancer/algorithms/semantic.ts";
import { ctxWith, NONE, type TestTarget, target } from "./helpers.ts";

// A deterministic bag-of-words embedder over a tiny vocabulary.
const VOCAB = ["code", "python", "function", "bug", "poem", "story", "rhyme", "math", "equation", "sum"];
function fakeEmbedder() {
  const calls: string[][] = [];
  const embed = async (texts: string[]) => {
    calls.push(texts);
    return texts.map((t) => {
      const words = t.toLowerCase().split(/\W+/);
      return VOCAB.map((v) => words.filter((w) => w === v).length);
    });
  };
  return { embed, calls };
}

const targets = [
  target("coder", 100, 0, "code python function bug"),
  target("writer", 100, 0, "poem story rhyme"),
  target("mathy", 100, 0, "math equation sum"),
  target("general", 100, 0),
];

describe("semantic routing", () => {
  it("picks the target whose description is closest to the prompt", async () => {
    const { embed } = fakeEmbedder();
    const b = new SemanticBalancer<TestTarget>({ embed, threshold: 0.3, fallbackTargetId: "general" });
    expect((await b.select(targets, ctxWith({ promptText: "fix this python function bug" }), NONE))?.id).toBe("coder");
    expect((await b.select(targets, ctxWith({ promptText: "write a poem with a rhyme" }), NONE))?.id).toBe("writer");
    expect((await b.select(targets, ctxWith({ promptText: "solve the equation and sum" }), NONE))?.id).toBe("mathy");
  });

  it("uses the fallback below the threshold, for an empty prompt and when the embedder fails", async () => {
    const { embed } = fakeEmbedder();
    const b = new SemanticBalancer<TestTarget>({ embed, threshold: 0.9, fallbackTargetId: "general" });
    // "python poem": cosine 1/sqrt(2*4) with coder, below 0.9
    expect((await b.select(targets, ctxWith({ promptText: "python poem" }), NONE))?.id).toBe("general");
    expect((await b.select(targets, ctxWith({ promptText: "" }), NONE))?.id).toBe("general");
    const errors: unknown[] = [];
    const failing = new SemanticBalancer<TestTarget>({
      embed: () => Promise.reject(new Error("embeddings target down")),
      threshold: 0.3,
      fallbackTargetId: "general",
      onError: (e) => errors.push(e),
    });
    expect((await failing.select(targets, ctxWith({ promptText: "python" }), NONE))?.id).toBe("general");
    expect(errors).toHaveLength(1);
  });

  it("embeds descriptions once (with the first prompt) and the prompt once per request", async () => {
    const { embed, calls } = fakeEmbedder();
    const b = new SemanticBalancer<TestTarget>({ embed, threshold: 0.3, fallbackTargetId: "general" });
    const ctx = ctxWith({ promptText: "python bug" });
    expect((await b.select(targets, ctx, NONE))?.id).toBe("coder");
    // failover within the same request: no new embedding; best excluded, nothing else above threshold -> fallback
    expect((await b.select(targets, ctx, new Set(["coder"])))?.id).toBe("general");
    await b.select(targets, ctxWith({ promptText: "a story" }), NONE);
    expect(calls).toEqual([["python bug", "code python function bug", "poem story rhyme", "math equation sum"], ["a story"]]);
  });

  it("prepare() warms the description cache up front", async () => {
    const { embed, calls } = fakeEmbedder();
    const b = new SemanticBalancer<TestTarget>({ embed, threshold: 0.3 });
    await b.prepare(targets);
    await b.select(targets, ctxWith({ promptText: "math" }), NONE);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(["math"]);
  });

  it("without a fallback, below the threshold the closest target still wins", async () => {
    const { embed } = fakeEmbedder();
    const b = new SemanticBalancer<TestTarget>({ embed, threshold: 0.99 });
    expect((await b.select(targets, ctxWith({ promptText: "python poem story" }), NONE))?.id).toBe("writer");
    expect(b.lastScores.get("writer")).toBeGreaterThan(b.lastScores.get("coder")!);
  });
});
