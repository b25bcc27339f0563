// Reading a large result in chunks through a server-side cursor (server only): the statement runs once inside a
// transaction, rows come FETCH by FETCH, and at most two chunks wait in memory for a slow consumer (backpressure).
// Breaking out of the loop closes the cursor and ends the transaction.

import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { ANALYTICS_SETTINGS_SQL } from "./source.ts";

class StreamCancelled extends Error {}

export interface StreamQueryOptions {
  /** rows per FETCH (default 2000) */
  chunkSize?: number;
  /** the longest an export may keep its transaction open (default 30 minutes) */
  timeoutMs?: number;
}

const MAX_BUFFERED_CHUNKS = 2;

export async function* streamQueryRows<T>(db: Db, query: Prisma.Sql, opts: StreamQueryOptions = {}): AsyncGenerator<T[]> {
  const chunkSize = opts.chunkSize ?? 2000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 100_000) throw new Error("chunkSize must be 1..100000");
  const queue: T[][] = [];
  let finished = false;
  let failure: unknown = null;
  let cancelled = false;
  let wakeConsumer: (() => void) | null = null;
  let wakeProducer: (() => void) | null = null;
  const signalConsumer = () => {
    const w = wakeConsumer;
    wakeConsumer = null;
    w?.();
  };
  const signalProducer = () => {
    const w = wakeProducer;
    wakeProducer = null;
    w?.();
  };

  const run = db
    .$transaction(
      async (tx) => {
        await tx.$queryRaw(ANALYTICS_SETTINGS_SQL);
        await tx.$executeRaw`DECLARE sluice_stream NO SCROLL CURSOR FOR ${query}`;
        for (;;) {
          while (queue.length >= MAX_BUFFERED_CHUNKS && !cancelled) {
            await new Promise<void>((resolve) => {
              wakeProducer = resolve;
            });
          }
          if (cancelled) throw new StreamCancelled();
          const rows = await tx.$queryRaw<T[]>`FETCH FORWARD ${Prisma.raw(String(chunkSize))} FROM sluice_stream`;
          if (rows.length > 0) {
            queue.push(rows);
            signalConsumer();
          }
          if (rows.length < chunkSize) break;
        }
        await tx.$executeRaw`CLOSE sluice_stream`;
      },
      { timeout: opts.timeoutMs ?? 30 * 60_000, maxWait: 10_000 },
    )
    .then(
      () => {
        finished = true;
        signalConsumer();
      },
      (err: unknown) => {
        finished = true;
        if (!(err instanceof StreamCancelled)) failure = err;
        signalConsumer();
      },
    );

  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        signalProducer();
        yield next;
        continue;
      }
      if (finished) {
        if (failure) throw failure;
        return;
      }
      await new Promise<void>((resolve) => {
        wakeConsumer = resolve;
      });
    }
  } finally {
    cancelled = true;
    signalProducer();
    await run;
  }
}
