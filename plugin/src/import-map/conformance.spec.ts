/**
 * The WICG import-maps conformance data (fixtures/wicg-conformance: source and license in its README), loaded
 * at test time. Every `expectedResults` specifier and every `expectedParsedImportMap` is one case.
 *
 * No file is skipped: the two `-internal` files (about:, blob:, import:, javascript:, mailto:, wss: and
 * other non-fetch schemes) only need a WHATWG URL parser, and Node's `URL` handles every one of them.
 *
 * Counting: the data declares 226 expectations, each counted once where a file writes it. Four groups
 * write `expectedParsedImportMap: null` once for five nested maps each (three groups in
 * parsing-schema-toplevel.json, one in parsing-schema-scope.json), and every one of those 20 maps must
 * fail to parse, so the suite runs 242 leaf cases = 226 − 4 + 20. Both numbers are asserted at the end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TAG } from '../constants';
import { parseImportMap } from './parse-import-map';
import { resolveSpecifier } from './resolve-specifier';

const conformanceDir = path.join(__dirname, 'fixtures/wicg-conformance');

const DECLARED_EXPECTATIONS = 226;

interface TestNode {
  importMap?: unknown;
  importMapBaseURL?: string;
  baseURL?: string;
  expectedResults?: Record<string, string | null>;
  expectedParsedImportMap?: { imports: unknown; scopes: unknown } | null;
  tests?: Record<string, TestNode>;
  name?: string;
  link?: string;
  details?: string;
}

interface LeafCase {
  title: string[];
  run: () => void;
}

/** Inherits every key but `tests` into nested entries, as the reference implementation's runner did. */
function collectLeaves(node: TestNode, title: string[], out: LeafCase[]): void {
  const { tests, ...context } = node;
  if (tests) {
    for (const [name, child] of Object.entries(tests)) collectLeaves({ ...context, ...child }, [...title, name], out);
    return;
  }
  if ('expectedParsedImportMap' in context) {
    out.push({ title: [...title, 'parsed import map'], run: () => checkParsed(context) });
  }
  for (const [specifier, expected] of Object.entries(context.expectedResults ?? {})) {
    out.push({ title: [...title, `resolves ${JSON.stringify(specifier)}`], run: () => checkResolution(context, specifier, expected) });
  }
}

/** Expectations counted once where the file writes them (as the data's own authors count them). */
function countDeclared(node: TestNode): number {
  let declared = Object.keys(node.expectedResults ?? {}).length + ('expectedParsedImportMap' in node ? 1 : 0);
  for (const child of Object.values(node.tests ?? {})) declared += countDeclared(child);
  return declared;
}

function checkParsed(context: TestNode): void {
  const input = context.importMap as string | object;
  const expected = context.expectedParsedImportMap;
  if (expected === null) {
    let jsonTextIsValid = true;
    if (typeof input === 'string') {
      try {
        JSON.parse(input);
      } catch {
        // Invalid JSON text must surface as a SyntaxError rather than a TypeError; that is all this probe decides.
        jsonTextIsValid = false;
      }
    }
    const errorClass = jsonTextIsValid ? TypeError : SyntaxError;
    let thrown: unknown;
    try {
      parseImportMap(input, context.importMapBaseURL!);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(errorClass);
    expect((thrown as Error).message.startsWith(TAG.importMap)).toBe(true);
    return;
  }
  const parsed = parseImportMap(input, context.importMapBaseURL!);
  expect({ imports: parsed.imports, scopes: parsed.scopes }).toEqual(expected);
}

function checkResolution(context: TestNode, specifier: string, expected: string | null): void {
  const parsed = parseImportMap(context.importMap as string | object, context.importMapBaseURL!);
  if (expected === null) {
    let thrown: unknown;
    let result: string | undefined;
    try {
      result = resolveSpecifier(specifier, parsed, context.baseURL!);
    } catch (error) {
      thrown = error;
    }
    expect({ result, isTypeError: thrown instanceof TypeError }).toEqual({ result: undefined, isTypeError: true });
    expect((thrown as Error).message.startsWith(TAG.importMap)).toBe(true);
    return;
  }
  expect(resolveSpecifier(specifier, parsed, context.baseURL!)).toBe(expected);
}

const files = fs
  .readdirSync(conformanceDir)
  .filter((file) => file.endsWith('.json'))
  .sort();
const leavesByFile = new Map<string, LeafCase[]>();
let declaredTotal = 0;
for (const file of files) {
  const leaves: LeafCase[] = [];
  const data = JSON.parse(fs.readFileSync(path.join(conformanceDir, file), 'utf8')) as TestNode;
  collectLeaves(data, [], leaves);
  declaredTotal += countDeclared(data);
  leavesByFile.set(file, leaves);
}
const foundTotal = [...leavesByFile.values()].reduce((sum, leaves) => sum + leaves.length, 0);
let ranTotal = 0;

describe('import-map conformance (WICG data)', () => {
  for (const [file, leaves] of leavesByFile) {
    describe(file, () => {
      for (const leaf of leaves) {
        it(leaf.title.join(' › '), () => {
          leaf.run();
          ranTotal++;
        });
      }
    });
  }

  // Jest runs the tests of a file in order, so this one sees every case above (run without -t filtering).
  it('ran every case it found', () => {
    process.stdout.write(
      `${TAG.importMap} conformance: ${files.length} files, ${foundTotal} leaf cases run and passed ` +
        `(${declaredTotal} declared expectations)\n`,
    );
    expect(files).toHaveLength(22);
    expect({ ran: ranTotal, declared: declaredTotal }).toEqual({ ran: foundTotal, declared: DECLARED_EXPECTATIONS });
    expect(foundTotal).toBe(242);
  });
});
