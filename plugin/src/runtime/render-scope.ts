/**
 * Which page's render an async callback belongs to (a timer, a promise reaction, a floating rejection), so that a
 * fault it raises is answered on that page. Propagation is the same as `AsyncLocalStorage` on Node 20 (an
 * async_hooks `init` hook copying a slot from `executionAsyncResource()` to each new resource), hand-written for
 * speed: AsyncLocalStorage writes its slot on every resource the process creates, inside a render or not (each
 * socket write, tick and promise of every request), which adds a property to objects Node allocates by the
 * dozen per request; this hook writes only on resources created inside a render. Measured on Node 20 with the
 * benchmark's composed host (main-thread CPU per page, medians of 14 alternating one-second slices at 50
 * connections, against the same server rendering outside any scope): AsyncLocalStorage +1.15 µs, this scope
 * +0.8 µs, an init hook that does nothing +0.4 µs (the floor of any async_hooks propagation on Node 20; V8's
 * promise hooks alone, which miss timers, cost as much). So the scope starts unarmed: a render runs outside it, at no
 * cost, until `arm()` — at start (`traceFaults: 'always'`) or at a server's first fault.
 */
import { createHook, executionAsyncResource } from 'node:async_hooks';

/** What the page renderer and the fault handlers use; an `AsyncLocalStorage` fits it too (specs use one). */
export interface RenderScope<T> {
  /** Calls `fn(a, b)` with `store` current for it and for every async resource it creates, transitively (once armed). */
  run<A, B, R>(store: T, fn: (a: A, b: B) => R, a: A, b: B): R;
  /** The store of the render the running callback belongs to, or undefined outside any render. */
  getStore(): T | undefined;
}

/** A render scope that propagates nothing until armed. */
export interface ArmableRenderScope<T> extends RenderScope<T> {
  /** From now on, renders run inside the scope (renders already running stay outside). */
  arm(): void;
  /** Back to no propagation (the hook off): the server that armed it has closed. */
  disarm(): void;
  readonly armed: boolean;
}

type Slotted<T> = Record<symbol, T | undefined>;

export function createRenderScope<T extends object>(): ArmableRenderScope<T> {
  const slot = Symbol('esmx render scope');
  const hook = createHook({
    init(_asyncId, _type, _triggerAsyncId, resource) {
      const store = (executionAsyncResource() as Slotted<T>)[slot];
      if (store !== undefined) (resource as Slotted<T>)[slot] = store;
    },
  });
  let armed = false;
  return {
    arm() {
      if (armed) return;
      hook.enable();
      armed = true;
    },
    disarm() {
      if (!armed) return;
      hook.disable();
      armed = false;
    },
    get armed() {
      return armed;
    },
    run(store, fn, a, b) {
      if (!armed) return fn(a, b);
      const resource = executionAsyncResource() as Slotted<T>;
      const previous = resource[slot];
      resource[slot] = store;
      try {
        return fn(a, b);
      } finally {
        resource[slot] = previous;
      }
    },
    getStore() {
      return armed ? (executionAsyncResource() as Slotted<T>)[slot] : undefined;
    },
  };
}
