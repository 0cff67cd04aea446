import { TAG } from '../constants';
import { createDiagnostic, hasErrors } from './diagnostics';

describe('createDiagnostic', () => {
  it('prefixes the scope tag and the module, derives the severity from the code, and leaves out absent fields', () => {
    expect(createDiagnostic({ code: 'E_CYCLE', module: 'cart', text: 'uses itself', fix: 'remove it' })).toEqual({
      code: 'E_CYCLE',
      severity: 'error',
      module: 'cart',
      message: '[esmx:protocol] cart: uses itself',
      fix: 'remove it',
    });
    const warning = createDiagnostic({ code: 'W_NO_RANGE', module: 'cart', text: 't', fix: 'f', package: 'react', found: 'no range', required: '^19' });
    expect(warning).toMatchObject({ severity: 'warning', package: 'react', found: 'no range', required: '^19' });
    expect(hasErrors([warning])).toBe(false);
  });

  it('takes the tag of the layer that reports and an explicit severity', () => {
    const linked = createDiagnostic({ code: 'E_NOT_BUILT', module: 'cart', text: 'is not built', fix: 'build it', tag: TAG.link, severity: 'warning' });
    expect(linked.message).toBe('[esmx:link] cart: is not built');
    expect(linked.severity).toBe('warning');
  });
});
