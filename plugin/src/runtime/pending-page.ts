/** One page request while its render runs, and after: who answered it decides what a late result does. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deadline } from './render-deadlines';

export const RENDERING = 0;
export const ANSWERED = 1;
export const FAULTED = 2;
export const TIMED_OUT = 3;

export class PendingPage implements Deadline<PendingPage> {
  state = RENDERING;
  /** When the render timeout answers it; also what a late result is measured from. */
  deadline = 0;
  prev: PendingPage | undefined = undefined;
  next: PendingPage | undefined = undefined;
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly method: string,
    /** The server's base (`/shop/`) and the page's URL under it (`/cart?x`). */
    private readonly base: string,
    private readonly url: string,
  ) {}

  /** `GET /shop/cart?x`, for log lines: built only when one is written, not on every request. */
  get label(): string {
    return `${this.method} ${this.base}${this.url.slice(1)}`;
  }
}
