import { readFileSync } from 'node:fs';

const { OUTPUT, renderSchemaValidator } = require('../../../tools/generate-schema-validator.cjs');

describe('the precompiled esmx schema validator', () => {
  it('is what esmx-schema.ts compiles to today (regenerate with node tools/generate-schema-validator.cjs)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(renderSchemaValidator());
  });
});
