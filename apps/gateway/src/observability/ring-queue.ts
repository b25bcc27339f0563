// A bounded FIFO over a fixed ring: push is O(1) and never allocates after construction; when full, the oldest record
// is overwritten and counted. Sinks hold their pending records here so a slow or dead endpoint costs memory
// bounded by `capacity`, never the request path.

export class RingQueue<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private count = 0;
  /** records overwritten because the queue was full */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer: ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds `item`; returns false when the oldest record had to be dropped to make room. */
  push(item: T): boolean {
    const cap = this.capacity;
    if (this.count === cap) {
      this.items[this.head] = item;
      this.head = (this.head + 1) % cap;
      this.dropped++;
      return false;
    }
    this.items[(this.head + this.count) % cap] = item;
    this.count++;
    return true;
  }

  /** Removes and returns up to `max` of the oldest records. */
  take(max: number): T[] {
    const n = Math.min(max, this.count);
    const out = new Array<T>(n);
    const cap = this.capacity;
    for (let i = 0; i < n; i++) {
      const at = (this.head + i) % cap;
      out[i] = this.items[at] as T;
      this.items[at] = undefined;
    }
    this.head = (this.head + n) % cap;
    this.count -= n;
    return out;
  }

  /** Empties the queue; returns how many records were discarded. */
  clear(): number {
    const n = this.count;
    this.take(n);
    return n;
  }
}
