/** `@esmx/nx/runtime` exports only what a user needs: an accidental export fails here. */
import * as runtime from './index';

describe('@esmx/nx/runtime', () => {
  it('exports exactly createRequestHandler, startServer and renderPart at run time', () => {
    expect(Object.keys(runtime).sort()).toEqual(['createRequestHandler', 'renderPart', 'startServer']);
  });

  it('does not export the internals it used to (negative control of the list above)', () => {
    for (const name of ['normalizeBase', 'decodeStaticPath', 'toServerUrl', 'resolveWithMap', 'resolveListenOptions', 'loadLinkedHost']) {
      expect(runtime).not.toHaveProperty(name);
    }
  });
});
