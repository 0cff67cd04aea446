import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinkWorkspace, type LinkWorkspace } from '../link/fixtures/link-workspace';
import { checkSourceImports } from './check-source-imports';
import { findUnlinkedImports } from './find-unlinked-imports';
import { resolveModule } from './resolve-module';
import { createModuleScans } from './source-imports';

let ws: LinkWorkspace;
beforeEach(() => {
  ws = createLinkWorkspace();
  ws.writeManifest('vendor', 'client', (m) => (m.exports.react.names = ['default', 'useEffect', 'useState']));
  ws.writeManifest('vendor', 'server', (m) => (m.exports.react.names = ['default', 'useEffect', 'useState']));
});
afterEach(() => ws.remove());

function write(name: 'shop' | 'cart', file: string, source: string): void {
  mkdirSync(join(ws.dir(name), 'src'), { recursive: true });
  writeFileSync(join(ws.dir(name), file), source);
}

const check = (name: 'shop' | 'cart') => checkSourceImports(resolveModule(ws.dir(name), { checkFiles: false }));

describe('checkSourceImports (validate, before any build)', () => {
  it('checks the named imports of the current sources, through relative imports, against the built manifests', () => {
    write('cart', 'src/widget.ts', "import { useState } from 'react';\nimport { helper } from './helper';\nexport const Widget = () => [useState, helper];\n");
    write('cart', 'src/helper.ts', "import React, { useEfect } from 'react';\nexport const helper = () => [React, useEfect];\n");
    const diagnostics = check('cart');
    expect(diagnostics.map((d) => [d.code, d.module, d.found])).toEqual([['E_NO_EXPORT', 'cart', 'import { useEfect } from "react" in src/helper.ts:1']]);
    expect(diagnostics[0].message).toMatch(/^\[esmx:validate\] cart: src\/helper\.ts:1 has import \{ useEfect \} from "react"/);
    expect(diagnostics[0].fix).toMatch(/^import "useEffect" instead of "useEfect"/);
  });

  it('checks a remote export against its build, and finds a singleton bundled by two modules of the closure', () => {
    ws.writeManifest('cart', 'client', (m) => (m.exports.widget.names = ['Widget']));
    write('shop', 'src/entry.client.ts', "import { Widget, Widgte } from 'cart/widget';\nimport { createRoot } from 'react-dom/client';\nexport { Widget, Widgte, createRoot };\n");
    write('cart', 'src/widget.ts', "import { createPortal } from 'react-dom';\nexport const Widget = createPortal;\n");
    expect(check('shop').map((d) => [d.code, d.package])).toEqual([
      ['E_NO_EXPORT', 'cart/widget'],
      ['E_SINGLETON', 'react-dom'],
    ]);
  });

  it('reads a file under another module\'s root as that module\'s own, whichever module reaches it first', () => {
    // shop's entry reaches into cart's folder: that file is cart's source, not shop's (walks of one run share scans).
    write('shop', 'src/entry.client.ts', "import { createRoot } from 'react-dom/client';\nimport '../../cart/src/widget';\nexport { createRoot };\n");
    write('cart', 'src/widget.ts', "import { createPortal } from 'react-dom';\nexport const Widget = createPortal;\n");
    expect(check('shop').map((d) => [d.code, d.package])).toEqual([['E_SINGLETON', 'react-dom']]);
  });

  it('shares each module\'s walk with the unlinked-import check: validate reads each source file once, one view of it', () => {
    write('cart', 'src/widget.ts', "import { useState } from 'react';\nimport { helper } from './helper';\nexport const Widget = () => [useState, helper];\n");
    write('cart', 'src/helper.ts', "import { useEffect } from 'react';\nexport const helper = () => [useEffect];\n");
    const resolution = resolveModule(ws.dir('cart'), { checkFiles: false });
    const scans = createModuleScans();
    expect(findUnlinkedImports(resolution, scans)).toEqual([]);
    // Changed after the first walk read it: the second check works on what the first read, not on a second reading.
    write('cart', 'src/helper.ts', "import { useEfect } from 'react';\nexport const helper = () => [useEfect];\n");
    expect(checkSourceImports(resolution, scans)).toEqual([]);
    expect(checkSourceImports(resolution, createModuleScans()).map((d) => d.code)).toEqual(['E_NO_EXPORT']);
  });

  it('says nothing when the used modules are not built yet (E_NOT_BUILT is the resolution\'s business)', () => {
    const unbuilt = createLinkWorkspace({ built: false });
    try {
      mkdirSync(join(unbuilt.dir('cart'), 'src'), { recursive: true });
      writeFileSync(join(unbuilt.dir('cart'), 'src/widget.ts'), "import { nothing } from 'react';\nexport const Widget = nothing;\n");
      expect(checkSourceImports(resolveModule(unbuilt.dir('cart'), { checkFiles: false }))).toEqual([]);
    } finally {
      unbuilt.remove();
    }
  });
});
