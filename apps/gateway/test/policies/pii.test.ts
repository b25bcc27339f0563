import { PII_KINDS, type PiiKind } from "@sluice/db/schemas";
import { describe, expect, it } from "vitest";
import {
  detectPii,
  frenchNirValid,
  ibanValid,
  luhnValid,
  newRedactions,
  piiPolicy,
  redactText,
  restoreText,
  StreamRestorer,
  spanishIdValid,
} from "../../src/policies/prompt/pii.ts";
import type { AnyPolicy, Decision } from "../../src/policies/types.ts";
import type { ChatChunk } from "../../src/providers/types.ts";
import { chat, ctxFor, prepared } from "./helpers.ts";

const ALL = new Set<PiiKind>(PII_KINDS);
const found = (text: string) => detectPii(text, ALL).map((m) => `${m.kind}:${m.value}`);

describe("PII detectors", () => {
  it("checksums", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(ibanValid("DE89 3704 0044 0532 0130 00")).toBe(true);
    expect(ibanValid("DE89 3704 0044 0532 0130 01")).toBe(false);
    expect(spanishIdValid("12345678Z")).toBe(true);
    expect(spanishIdValid("X1234567L")).toBe(true);
    expect(spanishIdValid("12345678A")).toBe(false);
    expect(frenchNirValid("184127645108946")).toBe(true);
    expect(frenchNirValid("184127645108947")).toBe(false);
  });

  it("finds each kind and ignores look-alikes", () => {
    expect(found("write to jane.doe+tag@example.co.uk.")).toEqual(["email:jane.doe+tag@example.co.uk"]);
    expect(found("card 4111 1111 1111 1111, not 4111 1111 1111 1112")).toEqual(["card:4111 1111 1111 1111"]);
    expect(found("IBAN GB82WEST12345698765432 / DE89 3704 0044 0532 0130 00")).toEqual([
      "iban:GB82WEST12345698765432",
      "iban:DE89 3704 0044 0532 0130 00",
    ]);
    expect(found("SSN 123-45-6789")).toEqual(["national_id:123-45-6789"]);
    expect(found("NINO AB123456C, DNI 12345678Z, NIE X1234567L, bad 12345678A")).toEqual([
      "national_id:AB123456C",
      "national_id:12345678Z",
      "national_id:X1234567L",
    ]);
    expect(found("NIR 1 84 12 76 451 089 46")).toEqual(["national_id:1 84 12 76 451 089 46"]);
    expect(found("from 192.168.1.10 or 2001:db8::1 or fe80::1ff:fe23:4567:890a, not 999.1.1.1")).toEqual([
      "ip:192.168.1.10",
      "ip:2001:db8::1",
      "ip:fe80::1ff:fe23:4567:890a",
    ]);
    expect(found("call +1 (415) 555-2671 or 030 1234567 or +491701234567")).toEqual([
      "phone:+1 (415) 555-2671",
      "phone:030 1234567",
      "phone:+491701234567",
    ]);
    expect(found("on 2024-01-15 at 10:30, version 1.2.3, order 12345")).toEqual([]);
  });

  it("detects only the configured kinds", () => {
    expect(detectPii("a@b.io 192.168.0.1", new Set<PiiKind>(["ip"])).map((m) => m.kind)).toEqual(["ip"]);
  });
});

describe("redaction and restore", () => {
  it("numbers placeholders per kind and reuses them for repeated values", () => {
    const r = newRedactions();
    const a = redactText("mail a@x.io and b@x.io", ALL, r);
    const b = redactText("again a@x.io from 10.0.0.1", ALL, r);
    expect(a).toBe("mail <EMAIL_1> and <EMAIL_2>");
    expect(b).toBe("again <EMAIL_1> from <IP_1>");
    expect(restoreText("sent to <EMAIL_2> and <EMAIL_9>", r)).toBe("sent to b@x.io and <EMAIL_9>");
  });

  it("restores placeholders split across streamed pieces", () => {
    const r = newRedactions();
    redactText("a@x.io 4111 1111 1111 1111", ALL, r);
    const s = new StreamRestorer(r);
    const pieces = ["Sent to <EM", "AIL", "_1", "> and card <", "CARD_1>", " ok <b>bold</b> 1 < 2", " <CA"];
    const out = pieces.map((p) => s.push(p)).join("") + s.flush();
    expect(out).toBe("Sent to a@x.io and card 4111 1111 1111 1111 ok <b>bold</b> 1 < 2 <CA");
  });
});

describe("pii policy", () => {
  const pii = piiPolicy as AnyPolicy;

  it("redacts before the request leaves and restores in the answer", () => {
    const ctx = ctxFor(
      chat({ role: "system", content: "ops: ops@corp.com" }, { role: "user", content: "my card is 4111-1111-1111-1111" }),
    );
    const cfg = prepared(pii, "pii", {});
    const d = pii.decide(ctx, cfg) as Decision;
    expect(d.ok && d.request?.messages.map((m) => m.content)).toEqual(["ops: <EMAIL_1>", "my card is <CARD_1>"]);
    const change = pii.onResponse?.(ctx, cfg, {
      status: 200,
      headers: {},
      body: { choices: [{ index: 0, message: { role: "assistant", content: "Card <CARD_1> noted." }, finish_reason: "stop" }] },
    });
    expect(change?.body).toMatchObject({ choices: [{ message: { content: "Card 4111-1111-1111-1111 noted." } }] });
  });

  it("restores in streamed chunks per choice", () => {
    const ctx = ctxFor(chat({ role: "user", content: "ping 10.1.2.3" }));
    const cfg = prepared(pii, "pii", {});
    pii.decide(ctx, cfg);
    const t = pii.createStreamTransform?.(ctx, cfg);
    if (!t) throw new Error("expected a stream transform");
    const chunk = (content: string, index = 0): ChatChunk => ({
      id: "c",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [{ index, delta: { content }, finish_reason: null }],
    });
    const texts = [chunk("Host <I"), chunk("P_1> is up"), chunk("<IP_", 1)].map((c) => t.chunk(c).choices[0]?.delta.content);
    expect(texts).toEqual(["Host ", "10.1.2.3 is up", ""]);
    expect(t.end()).toEqual([{ index: 1, content: "<IP_" }]);
  });

  it("restore off: no response hooks", () => {
    const ctx = ctxFor(chat({ role: "user", content: "a@b.io" }));
    const cfg = prepared(pii, "pii", { restore: false });
    pii.decide(ctx, cfg);
    expect(pii.createStreamTransform?.(ctx, cfg)).toBeNull();
  });

  it("reject names the kinds, never the values", () => {
    const ctx = ctxFor(chat({ role: "user", content: "SSN 123-45-6789, mail a@b.io" }));
    const d = pii.decide(ctx, prepared(pii, "pii", { action: "reject" })) as Decision;
    expect(d).toMatchObject({ ok: false, status: 400, code: "pii_detected" });
    expect(!d.ok && d.message).toContain("email");
    expect(!d.ok && d.message).not.toContain("123-45");
  });

  it("leaves clean prompts alone", () => {
    expect(pii.decide(ctxFor(chat({ role: "user", content: "hello" })), prepared(pii, "pii", {}))).toEqual({ ok: true });
  });
});
