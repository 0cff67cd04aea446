/** The render scope on real timers and promises: what a render starts carries its store, nothing else does. */
import { createRenderScope } from './render-scope';

interface Page {
  name: string;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function armedScope() {
  const scope = createRenderScope<Page>();
  scope.arm();
  return scope;
}

describe('createRenderScope', () => {
  it('runs renders outside the scope until armed, then inside it (renders already running stay outside)', async () => {
    const scope = createRenderScope<Page>();
    expect(scope.armed).toBe(false);
    const seen: string[] = [];
    const note = (label: string) => seen.push(`${label}:${scope.getStore()?.name}`);
    // Each timer's callback notes its store, then settles: awaited, no sleep.
    const timers: Promise<void>[] = [];
    const noteLater = (label: string) => timers.push(new Promise((resolve) => setTimeout(() => resolve(void note(label)), 1)));
    scope.run({ name: 'before' }, (label: string) => {
      note(label);
      noteLater('before-timer');
    }, 'before-sync', 0);
    scope.arm();
    scope.arm();
    expect(scope.armed).toBe(true);
    scope.run({ name: 'after' }, (label: string) => {
      note(label);
      noteLater('after-timer');
    }, 'after-sync', 0);
    await Promise.all(timers);
    expect(seen.sort()).toEqual(['after-sync:after', 'after-timer:after', 'before-sync:undefined', 'before-timer:undefined']);
    scope.disarm();
    expect(scope.armed).toBe(false);
    let afterDisarm: Page | undefined = { name: 'not read' };
    scope.run({ name: 'disarmed' }, () => void Promise.resolve().then(() => (afterDisarm = scope.getStore())), 0, 0);
    await tick();
    expect(afterDisarm).toBeUndefined();
  });

  it('has no store outside a render, before and after one', () => {
    const scope = armedScope();
    expect(scope.getStore()).toBeUndefined();
    expect(scope.run({ name: 'a' }, (x: number, y: number) => x + y, 1, 2)).toBe(3);
    expect(scope.getStore()).toBeUndefined();
  });

  it('carries the store into promise continuations, timers and immediates the render starts', async () => {
    const scope = armedScope();
    const page = { name: 'a' };
    const seen: Record<string, Page | undefined> = {};
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    scope.run(
      page,
      (record: typeof seen, end: () => void) => {
        record.sync = scope.getStore();
        void Promise.resolve().then(() => (record.promise = scope.getStore()));
        setTimeout(() => {
          record.timer = scope.getStore();
          setImmediate(() => {
            record.nested = scope.getStore();
            end();
          });
        }, 1);
      },
      seen,
      done,
    );
    await finished;
    expect(seen).toEqual({ sync: page, promise: page, timer: page, nested: page });
    expect(seen.timer).toBe(page);
  });

  it('keeps concurrent renders apart and restores an outer render after an inner one', async () => {
    const scope = armedScope();
    const a = { name: 'a' };
    const b = { name: 'b' };
    const seen: string[] = [];
    let allSeen!: () => void;
    const finished = new Promise<void>((resolve) => (allSeen = resolve));
    const note = (label: string) => {
      seen.push(`${label}:${scope.getStore()?.name}`);
      if (seen.length === 4) allSeen();
    };
    scope.run(
      a,
      (s: typeof scope, inner: Page) => {
        s.run(inner, (label: string) => setTimeout(() => note(label), 2), 'inner', 0);
        note('outer-after-inner');
        setTimeout(() => note('outer'), 1);
      },
      scope,
      b,
    );
    setTimeout(() => note('outside'), 3);
    await finished;
    // Which store each callback saw, not the order the timers fired in (a busy machine runs them late, in any order).
    expect(seen[0]).toBe('outer-after-inner:a');
    expect([...seen].sort()).toEqual(['inner:b', 'outer-after-inner:a', 'outer:a', 'outside:undefined']);
  });

  it('marks nothing created outside a render, even once renders have run', async () => {
    const scope = armedScope();
    scope.run({ name: 'a' }, () => undefined, 0, 0);
    let store: Page | undefined = { name: 'not read' };
    await Promise.resolve().then(() => (store = scope.getStore()));
    await tick();
    expect(store).toBeUndefined();
  });

  it('gives each scope its own slot: a render of one is invisible to another', async () => {
    const first = armedScope();
    const second = armedScope();
    let inSecond: Page | undefined = { name: 'not read' };
    first.run({ name: 'a' }, () => void Promise.resolve().then(() => (inSecond = second.getStore())), 0, 0);
    await tick();
    expect(inSecond).toBeUndefined();
  });
});
