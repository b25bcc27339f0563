// Recording a stream chunk by chunk and replaying it: same chunk sequence, fresh id/created, usage only when asked,
// conversion between streamed and non-streamed shapes, and the recording bounds.

import { describe, expect, it } from "vitest";
import { decodeEntry, encodeEntry, replayChunks, replayResponse, replaySse } from "../../src/cache/entry.ts";
import { ResponseCache } from "../../src/cache/response-cache.ts";
import type { CacheEntry } from "../../src/cache/types.ts";
import type { ChatChunk } from "../../src/providers/types.ts";
import { cacheConfig, chatChunks, chatRequest, chatResponse, manualClock, stripIdentity, withoutIdentity } from "./helpers.ts";

function setup(over: Record<string, unknown> = {}) {
  const clock = manualClock();
  const cache = new ResponseCache({ now: clock.now });
  const input = {
    config: cacheConfig(over),
    routeId: "rt_1",
    request: chatRequest({ stream: true }),
    consumerId: "con_1",
    teamId: null,
  };
  return { clock, cache, input };
}

async function record(cache: ResponseCache, input: Parameters<ResponseCache["lookup"]>[0], chunks: ChatChunk[]) {
  const lookup = await cache.lookup(input);
  expect(lookup.status).toBe("miss");
  const rec = lookup.writer!.recordStream();
  for (const c of chunks) rec.push(c);
  return rec.end();
}

describe("stream record -> replay", () => {
  it("replays the same chunk sequence with one fresh id/created, usage appended when asked", async () => {
    const { cache, input } = setup();
    const chunks = chatChunks(["Pa", "ris", "."]);
    expect(await record(cache, input, chunks)).toBe(true);

    const hit = (await cache.lookup(input)).hit!;
    expect(hit.status).toBe("hit");
    expect(hit.usage).toEqual({ prompt_tokens: 21, completion_tokens: 3, total_tokens: 24 });

    const withUsage = hit.chunks({ includeUsage: true });
    const expected = chunks.map((c) => withoutIdentity(c));
    expect(stripIdentity(withUsage)).toEqual(expected);
    const ids = new Set(withUsage.map((t) => (JSON.parse(t) as ChatChunk).id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-/);
    expect([...ids][0]).not.toBe("chatcmpl-upstream2");
    const created = (JSON.parse(withUsage[0]!) as ChatChunk).created;
    expect(created).toBe(Math.floor(cache.now() / 1000));

    const noUsage = hit.chunks({ includeUsage: false });
    expect(stripIdentity(noUsage)).toEqual(expected.slice(0, -1));
    // default: the lookup request's stream_options
    expect(hit.chunks()).toHaveLength(noUsage.length);
    const sse = hit.sse({ includeUsage: true, id: "chatcmpl-x", created: 5 });
    expect(sse.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(sse.split("\n\n").filter(Boolean)).toHaveLength(chunks.length + 1);
  });

  it("records the fast lane's raw SSE data texts", async () => {
    const { cache, input } = setup();
    const chunks = chatChunks(["a", "b"]);
    const rec = (await cache.lookup(input)).writer!.recordStream();
    for (const c of chunks) rec.pushData(JSON.stringify(c));
    rec.pushData("[DONE]");
    expect(await rec.end()).toBe(true);
    const hit = (await cache.lookup(input)).hit!;
    expect(stripIdentity(hit.chunks({ includeUsage: true }))).toEqual(chunks.map((c) => withoutIdentity(c)));
  });

  it("a recorded stream serves a non-streamed request, and a stored response serves a stream", async () => {
    const { cache, input } = setup();
    await record(cache, input, chatChunks(["Pa", "ris", "."]));
    const hit = (await cache.lookup({ ...input, request: { ...input.request, stream: false } })).hit!;
    const body = JSON.parse(hit.body({ id: "chatcmpl-new", created: 7 }));
    expect(body).toEqual({
      id: "chatcmpl-new",
      created: 7,
      object: "chat.completion",
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, message: { role: "assistant", content: "Paris." }, finish_reason: "stop" }],
      usage: { prompt_tokens: 21, completion_tokens: 3, total_tokens: 24 },
      system_fingerprint: "fp_1",
    });

    const other = { ...input, routeId: "rt_2" };
    const miss = await cache.lookup(other);
    const response = chatResponse("Madrid.");
    expect(await miss.writer!.storeResponse(200, response)).toBe(true);
    const streamed = (await cache.lookup(other)).hit!.chunks({ includeUsage: true }).map((t) => JSON.parse(t) as ChatChunk);
    const text = streamed.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Madrid.");
    expect(streamed.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(streamed.at(-1)?.usage).toEqual(response.usage);
    // non-streamed replay of a stored response: same body, fresh identity
    const again = JSON.parse((await cache.lookup(other)).hit!.body());
    expect(withoutIdentity(again)).toEqual(withoutIdentity(response));
    expect(again.id).not.toBe(response.id);
  });

  it("tool-call streams assemble into a response with tool_calls", async () => {
    const { cache, input } = setup();
    const base = { id: "x", object: "chat.completion.chunk" as const, created: 1, model: "m" };
    const chunks: ChatChunk[] = [
      {
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              role: "assistant",
              tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get", arguments: "" } }],
            },
            finish_reason: null,
          },
        ],
      },
      {
        ...base,
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }, finish_reason: null }],
      },
      {
        ...base,
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "1}" } }] }, finish_reason: null }],
      },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
    ];
    await record(cache, input, chunks);
    const body = JSON.parse((await cache.lookup(input)).hit!.body());
    expect(body.choices[0].message.tool_calls).toEqual([
      { id: "call_1", type: "function", function: { name: "get", arguments: '{"a":1}' } },
    ]);
    expect(body.choices[0].finish_reason).toBe("tool_calls");
  });

  it("does not store an incomplete stream (no finish_reason: client abort or cut upstream)", async () => {
    const { cache, input } = setup();
    const abandoned: string[] = [];
    const c2 = new ResponseCache({ now: cache.now, hooks: { onAbandon: (e) => abandoned.push(e.reason) } });
    const chunks = chatChunks(["Pa"]).slice(0, 2);
    expect(await record(c2, input, chunks)).toBe(false);
    expect((await c2.lookup(input)).status).toBe("miss");
    expect(abandoned).toEqual(["incomplete"]);
  });

  it("does not store a stream that reported an error or was abandoned", async () => {
    const { cache, input } = setup();
    const l1 = await cache.lookup(input);
    const rec = l1.writer!.recordStream();
    rec.pushData(JSON.stringify(chatChunks()[0]));
    rec.pushData('{"error":{"message":"overloaded","type":"server_error"}}');
    expect(rec.active).toBe(false);
    expect(await rec.end()).toBe(false);
    const rec2 = (await cache.lookup(input)).writer!.recordStream();
    for (const c of chatChunks()) rec2.push(c);
    rec2.abandon("error");
    expect(await rec2.end()).toBe(false);
    expect((await cache.lookup(input)).status).toBe("miss");
  });

  it("gives up a recording above the size limit", async () => {
    const { cache, input } = setup({ maxEntryBytes: 2_000 });
    const reasons: string[] = [];
    const c2 = new ResponseCache({ now: cache.now, hooks: { onAbandon: (e) => reasons.push(e.reason) } });
    const rec = (await c2.lookup(input)).writer!.recordStream();
    for (const c of chatChunks(Array.from({ length: 100 }, () => "0123456789abcdef"))) rec.push(c);
    expect(rec.reason).toBe("too_large");
    expect(await rec.end()).toBe(false);
    expect((await c2.lookup(input)).status).toBe("miss");
    expect(reasons).toEqual(["too_large"]);
  });
});

describe("entry encoding", () => {
  it("round-trips and rejects foreign values", () => {
    const entry: CacheEntry = {
      kind: "stream",
      routeId: "rt",
      partition: "shared",
      model: "m",
      usage: null,
      createdAt: 1,
      expiresAt: 2,
      payload: '{"a":1}\n{"b":"x\\ny"}',
    };
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
    expect(decodeEntry("garbage")).toBeNull();
    expect(decodeEntry('S1{"kind":"other"}\n{}')).toBeNull();
  });

  it("replay does not parse the stored payload for a same-shape hit", () => {
    // a payload that is not valid JSON would throw if parsed: the splice keeps it verbatim
    const entry: CacheEntry = {
      kind: "response",
      routeId: "r",
      partition: "p",
      model: "m",
      usage: null,
      createdAt: 0,
      expiresAt: 1,
      payload: '{"raw":true',
    };
    expect(replayResponse(entry, { id: "i", created: 3 })).toBe('{"id":"i","created":3,"raw":true');
    const s: CacheEntry = { ...entry, kind: "stream", payload: '{"a":1\n{"b":2' };
    expect(replayChunks(s, { id: "i", created: 3 })).toEqual(['{"id":"i","created":3,"a":1', '{"id":"i","created":3,"b":2']);
    expect(replaySse(s, { id: "i", created: 3 })).toBe(
      'data: {"id":"i","created":3,"a":1\n\ndata: {"id":"i","created":3,"b":2\n\ndata: [DONE]\n\n',
    );
  });
});
