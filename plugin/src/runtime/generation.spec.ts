import { describeLoadError } from './generation';

it('describes a load failure in one line: the error and the frame that raised it, never the whole stack', () => {
  const error = new TypeError('window is not defined');
  error.stack = 'TypeError: window is not defined\n    at file:///ws/apps/shell/dist/server/entry.server.1a2b3c4d.final.mjs:3:9\n    at ModuleJob.run (node:internal)';
  expect(describeLoadError(error)).toBe(
    'TypeError: window is not defined (at file:///ws/apps/shell/dist/server/entry.server.1a2b3c4d.final.mjs:3:9)',
  );
  expect(describeLoadError('a thrown string')).toBe('a thrown string');
});
