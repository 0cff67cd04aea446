import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { createReactRules, renderReactRefreshScript } from './refresh';
import type { FrameworkBuildContext } from '../types';

const repoRoot = join(__dirname, '../../../..');

/** A module as Rspack's runtime hands it to the refresh runtime: its id, exports and `hot` API. */
function createModule(id: string, exports: Record<string, unknown>, data?: Record<string, unknown>) {
  const calls: string[] = [];
  let dispose: ((data: Record<string, unknown>) => void) | undefined;
  const hot = {
    data,
    accept: () => calls.push('accept'),
    invalidate: () => calls.push('invalidate'),
    dispose: (callback: (data: Record<string, unknown>) => void) => (dispose = callback),
  };
  return { module: { id, exports, hot }, calls, disposeData: () => (dispose ? (dispose((data = {})), data) : undefined) };
}

/**
 * Runs the page script in a window of its own; returns the runtime it installs, the refreshes it schedules and two
 * components of that window (React Refresh tells a component by its prototype, which must be the window's).
 */
function loadRuntime() {
  const timers: (() => void)[] = [];
  const window: Record<string, unknown> = {};
  const context = { window, setTimeout: (callback: () => void) => timers.push(callback), clearTimeout: () => undefined };
  runInNewContext(renderReactRefreshScript(repoRoot), context);
  const [Counter, Panel] = runInNewContext('[function Counter() { return null; }, function Panel() { return null; }]', context);
  return { runtime: window.__ESMX_REACT_REFRESH__ as { accept(module: unknown): void }, window, timers, Counter, Panel };
}

describe('the React Refresh page script', () => {
  it('hooks into React before any module runs (react-dom registers with the hook it installs)', () => {
    const { window } = loadRuntime();
    const hook = window.__REACT_DEVTOOLS_GLOBAL_HOOK__ as { inject?: unknown; supportsFiber?: boolean };
    expect(typeof hook.inject).toBe('function');
  });

  it('accepts an update of a module that exports only components, and refreshes React after its new version ran', () => {
    const { runtime, timers, Counter, Panel } = loadRuntime();
    const first = createModule('./src/widget-view.tsx', { Widget: Counter, Panel });
    runtime.accept(first.module);
    expect(first.calls).toEqual(['accept']);
    expect(timers).toHaveLength(0);
    const next = createModule('./src/widget-view.tsx', { Widget: Counter, Panel }, first.disposeData());
    runtime.accept(next.module);
    expect(next.calls).toEqual(['accept']);
    expect(timers).toHaveLength(1);
  });

  it('lets an update of any other module go to its importers, and hands one up when its exports changed shape', () => {
    const { runtime, timers, Counter } = loadRuntime();
    const helpers = createModule('./src/widget.tsx', { Widget: Counter, render: () => '', hydrate: () => undefined });
    runtime.accept(helpers.module);
    expect(helpers.calls).toEqual([]);
    const view = createModule('./src/view.tsx', { View: Counter });
    runtime.accept(view.module);
    // The new version exports a constant beside the component: the importers must see it, so the update goes up.
    const changed = createModule('./src/view.tsx', { View: Counter, size: 3 }, view.disposeData());
    runtime.accept(changed.module);
    expect(changed.calls).toEqual(['invalidate']);
    // Renamed export: the importers still read the old name.
    const renamed = createModule('./src/view.tsx', { Renamed: Counter }, view.disposeData());
    runtime.accept(renamed.module);
    expect(renamed.calls).toEqual(['invalidate']);
    expect(timers).toHaveLength(0);
  });

  it('names the missing package and the fix when react-refresh is not installed', () => {
    const empty = mkdtempSync(join(tmpdir(), 'esmx-refresh-'));
    try {
      writeFileSync(join(empty, 'package.json'), '{"name":"alone"}');
      expect(() => renderReactRefreshScript(empty)).toThrow(
        /^\[esmx:serve\] expected react-refresh to be installed for React Fast Refresh \(from .*\), found none: edits reload the page .* Fix: npm install -D react-refresh@0\.19\.0/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('createReactRules', () => {
  const context = (hot: boolean): FrameworkBuildContext => ({
    target: 'client',
    mode: 'development',
    root: '/ws/apps/shell',
    hot,
    swcOptions: (input) => ({ jsc: { transform: { react: { refresh: input.jsx?.refresh } } } }),
  });

  it('adds React Refresh registrations and the refresh loader to JSX sources only in hot builds', () => {
    const hot = createReactRules(context(true), 'react');
    expect(hot.map((rule) => (rule.use as { loader: string }[]).map((use) => use.loader.replace(/.*[\\/]/, '')))).toEqual([
      ['refresh-loader.cjs', 'builtin:swc-loader'],
      ['refresh-loader.cjs', 'builtin:swc-loader'],
    ]);
    expect(JSON.stringify(hot)).toContain('"refresh":true');
    const plain = createReactRules(context(false), 'react');
    expect(plain.map((rule) => (rule.use as { loader: string }[]).map((use) => use.loader))).toEqual([['builtin:swc-loader'], ['builtin:swc-loader']]);
    expect(JSON.stringify(plain)).not.toContain('"refresh":true');
  });
});
