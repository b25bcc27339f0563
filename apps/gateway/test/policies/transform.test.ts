import { describe, expect, it } from "vitest";
import { applyJsonPatch } from "../../src/policies/transform/json-patch.ts";
import { applyHeaderEdits, transformerPolicy } from "../../src/policies/transform/transformer.ts";
import type { AnyPolicy, Decision } from "../../src/policies/types.ts";
import { chat, ctxFor, prepared } from "./helpers.ts";

describe("JSON patch (RFC 6902)", () => {
  const doc = { a: { b: [1, 2, 3] }, c: "x" };

  it("applies add/remove/replace/move/copy/test without mutating the input", () => {
    const r = applyJsonPatch(doc, [
      { op: "add", path: "/a/b/1", value: 9 },
      { op: "add", path: "/a/b/-", value: 4 },
      { op: "remove", path: "/a/b/0" },
      { op: "replace", path: "/c", value: { d: 1 } },
      { op: "copy", from: "/c", path: "/e" },
      { op: "move", from: "/c/d", path: "/f" },
      { op: "test", path: "/e", value: { d: 1 } },
      { op: "add", path: "/g~1h", value: true },
    ]);
    expect(r).toEqual({ ok: true, value: { a: { b: [9, 2, 3, 4] }, c: {}, e: { d: 1 }, f: 1, "g/h": true } });
    expect(doc).toEqual({ a: { b: [1, 2, 3] }, c: "x" });
  });

  it("fails the whole patch on a failed test or a missing path", () => {
    expect(applyJsonPatch(doc, [{ op: "test", path: "/c", value: "y" }])).toMatchObject({ ok: false, index: 0 });
    expect(applyJsonPatch(doc, [{ op: "remove", path: "/nope" }])).toMatchObject({ ok: false });
    expect(applyJsonPatch(doc, [{ op: "replace", path: "/a/b/3", value: 0 }])).toMatchObject({ ok: false });
    expect(applyJsonPatch(doc, [{ op: "add", path: "/x/y", value: 0 }])).toMatchObject({ ok: false });
  });

  it("refuses prototype keys", () => {
    const r = applyJsonPatch({}, [{ op: "add", path: "/__proto__/polluted", value: true }]);
    expect(r.ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("replaces the whole document with an empty pointer", () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: "replace", path: "", value: [1] }])).toEqual({ ok: true, value: [1] });
  });
});

describe("transformer policy", () => {
  const t = transformerPolicy as AnyPolicy;
  const cfg = prepared(t, "transformer", {
    requestHeaders: { add: { "X-Team": "blue" }, remove: ["x-debug"], rename: { "X-Client-Id": "x-upstream-client" } },
    responseHeaders: { add: { "x-served-by": "sluice" }, remove: ["server"] },
    requestBodyPatch: [
      { op: "add", path: "/temperature", value: 0 },
      { op: "add", path: "/messages/0", value: { role: "system", content: "Be kind." } },
    ],
    responseBodyPatch: [{ op: "remove", path: "/system_fingerprint" }],
  });

  it("edits upstream headers and patches the request body", () => {
    const ctx = ctxFor(chat({ role: "user", content: "hi" }), { headers: { "x-client-id": "abc", "x-debug": "1" } });
    const d = t.decide(ctx, cfg) as Decision;
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.upstreamHeaders).toEqual({ "x-client-id": null, "x-upstream-client": "abc", "x-debug": null, "x-team": "blue" });
    expect(d.request?.temperature).toBe(0);
    expect(d.request?.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(applyHeaderEdits({ "x-client-id": "abc", accept: "*/*" }, d.upstreamHeaders ?? {})).toEqual({
      accept: "*/*",
      "x-upstream-client": "abc",
      "x-team": "blue",
    });
  });

  it("refuses a request whose patch fails", () => {
    const failing = prepared(t, "transformer", { requestBodyPatch: [{ op: "test", path: "/model", value: "gpt-4o-mini" }] });
    expect(t.decide(ctxFor(chat({ role: "user", content: "x" })), failing)).toMatchObject({
      ok: false,
      status: 400,
      code: "request_transform_failed",
    });
  });

  it("edits response headers and body", () => {
    const change = t.onResponse?.(ctxFor(null), cfg, {
      status: 200,
      headers: { server: "x" },
      body: { id: "1", system_fingerprint: "fp" },
    });
    expect(change).toEqual({ headers: { server: null, "x-served-by": "sluice" }, body: { id: "1" } });
  });
});
