/**
 * The render timeout of every page in flight, on one timer. Every page gets the same timeout, so deadlines come in
 * the order pages start: a linked list in start order, where the head always has the earliest deadline. Starting and
 * finishing a page are O(1) pointer moves, cheaper than a Node timer per request (this is the hot path).
 */
export interface Deadline<T> {
  deadline: number;
  prev: T | undefined;
  next: T | undefined;
}

export class RenderDeadlines<T extends Deadline<T>> {
  private head: T | undefined;
  private tail: T | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    /** Called once for each entry still listed when its deadline passes; it has been removed by then. */
    private readonly onExpired: (entry: T) => void,
  ) {}

  add(entry: T): void {
    entry.deadline = Date.now() + this.timeoutMs;
    entry.prev = this.tail;
    entry.next = undefined;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (!this.timer) this.schedule(this.timeoutMs);
  }

  /** Idempotent: removing an entry that is no longer listed does nothing. */
  remove(entry: T): void {
    if (entry.prev) entry.prev.next = entry.next;
    else if (this.head === entry) this.head = entry.next;
    else return;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = undefined;
  }

  get size(): number {
    let count = 0;
    for (let entry = this.head; entry; entry = entry.next) count++;
    return count;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(this.sweep, Math.max(1, delayMs));
    // A render still hanging after close() must not hold the process open; the drain bounds the stop instead.
    this.timer.unref();
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    const now = Date.now();
    while (this.head && this.head.deadline <= now) {
      const expired = this.head;
      this.remove(expired);
      this.onExpired(expired);
    }
    if (this.head) this.schedule(this.head.deadline - now);
  };
}
