import { resolveListenOptions } from './listen-options';

describe('resolveListenOptions', () => {
  it('normalizes the base as the import-map layer does (trimmed, leading and trailing slash)', () => {
    expect(resolveListenOptions({ base: ' shop ' }, {}).base).toBe('/shop/');
    expect(resolveListenOptions({ base: 'shop' }, {}).base).toBe('/shop/');
    expect(resolveListenOptions({}, { BASE: '/a/b' }).base).toBe('/a/b/');
    expect(resolveListenOptions({}, {}).base).toBe('/');
  });

  it('refuses a URL base with a tagged message and the fix', () => {
    expect(() => resolveListenOptions({ base: 'https://cdn.example.com/x' }, {}, '[esmx:ssr]')).toThrow(
      '[esmx:ssr] option "base" must be a URL path such as /shop/, found the URL "https://cdn.example.com/x": a server answers ' +
        'paths of its own origin; fix: pass only the path (e.g. --base=/x/) and put the origin in front of the server (proxy or CDN)',
    );
  });

  it.each(['/a?b', '/a#b', '/a b/', '//evil.example/', '/a\\b'])('refuses the base %j', (base) => {
    expect(() => resolveListenOptions({ base }, {})).toThrow(/^\[esmx:start\] option "base" must be a URL path such as \/shop\//);
  });

  it('takes PORT and HOST from the environment when the options are absent', () => {
    expect(resolveListenOptions({}, { PORT: '5000', HOST: '::1' })).toEqual({ port: 5000, host: '::1', base: '/' });
    expect(resolveListenOptions({ port: 0 }, { PORT: '5000' }).port).toBe(0);
  });
});
