import type * as TS from 'typescript';

/** One package of an explicit `shared` configuration. */
export interface SharedPackage {
  name: string;
  singleton: boolean;
}

/** What the `shared` key of a Module Federation config says. */
export type SharedConfig =
  /** No `shared` key: Nx shares every npm dependency of the project, each as a singleton. */
  | { kind: 'default' }
  /** `shared: ['a', 'b']` or `shared: { a: { singleton: true }, b: '^1.0.0' }`. */
  | { kind: 'list'; packages: SharedPackage[] }
  /**
   * `shared: (name, config) => …`: code decides per package. `eagerOnly` when it returns the library's own config
   * with `eager: true` and nothing else, as Nx's generated SSR configs do.
   */
  | { kind: 'function'; eagerOnly: boolean; line: number };

export interface MfRemote {
  name: string;
  /** `[name, url]` tuples name where an external remote is deployed. */
  url?: string;
}

/** A `module-federation.config.ts` read statically: only literal values, no user code executed. */
export interface MfConfig {
  file: string;
  name: string;
  remotes: MfRemote[];
  /** `./Module` → `./src/remote-entry.ts`, as written. */
  exposes: Record<string, string>;
  shared: SharedConfig;
  additionalShared: string[];
  /** Keys the migration does not translate (`library`, `remoteEntryName`, …), reported to the user. */
  ignoredKeys: string[];
}

/** Why a config could not be read statically: where, what was expected, what was found. */
export class MfConfigParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file}:${line}: expected ${expected}, found ${found}`);
  }
}

const KNOWN_KEYS = new Set(['name', 'remotes', 'exposes', 'shared', 'additionalShared']);

/**
 * Reads a Module Federation config without running it. The file is parsed with TypeScript's parser (the workspace's
 * own `typescript`, which every Nx workspace with a `.ts` config has) and only literal values are accepted: strings,
 * arrays, objects, and `const` names bound to them in the same file. Anything computed (a call, a condition, an
 * imported value, a spread) is a `MfConfigParseError` naming the line: guessing would migrate the wrong thing.
 * Running the file instead would execute user code with the generator's permissions for a result that could differ
 * per environment variable.
 */
export function parseMfConfig(ts: typeof TS, file: string, source: string): MfConfig {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const lineOf = (node: TS.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const snippet = (node: TS.Node) => {
    const text = node.getText(sf).replace(/\s+/g, ' ');
    return `\`${text.length > 80 ? `${text.slice(0, 77)}...` : text}\``;
  };
  const fail = (node: TS.Node, expected: string): never => {
    throw new MfConfigParseError(file, lineOf(node), expected, snippet(node));
  };

  const constants = new Map<string, TS.Expression>();
  let exported: TS.Expression | undefined;
  for (const statement of sf.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) constants.set(declaration.name.text, declaration.initializer);
      }
    } else if (ts.isExportAssignment(statement)) {
      exported = statement.expression;
    } else if (
      ts.isExpressionStatement(statement) &&
      ts.isBinaryExpression(statement.expression) &&
      statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      /^module\.exports$|^exports\.default$/.test(statement.expression.left.getText(sf))
    ) {
      exported = statement.expression.right;
    }
  }
  if (!exported) {
    throw new MfConfigParseError(file, 1, 'a default export of the config (`export default config`)', 'none');
  }

  /** Follows `as`, `satisfies`, parentheses and same-file `const` names down to the literal. */
  const unwrap = (node: TS.Expression, seen = new Set<string>()): TS.Expression => {
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)) {
      return unwrap(node.expression, seen);
    }
    if (ts.isIdentifier(node) && constants.has(node.text) && !seen.has(node.text)) {
      seen.add(node.text);
      return unwrap(constants.get(node.text) as TS.Expression, seen);
    }
    return node;
  };
  const readString = (node: TS.Expression, expected: string): string => {
    const value = unwrap(node);
    if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return value.text;
    return fail(value, expected);
  };
  const readObject = (node: TS.Expression, expected: string): Map<string, TS.Expression> => {
    const value = unwrap(node);
    if (!ts.isObjectLiteralExpression(value)) return fail(value, expected);
    const entries = new Map<string, TS.Expression>();
    for (const property of value.properties) {
      if (ts.isShorthandPropertyAssignment(property)) {
        entries.set(property.name.text, property.name);
        continue;
      }
      if (!ts.isPropertyAssignment(property)) return fail(property, `${expected} with plain \`key: value\` entries`);
      const key = property.name;
      const name = ts.isIdentifier(key) || ts.isStringLiteral(key) || ts.isNoSubstitutionTemplateLiteral(key) ? key.text : undefined;
      if (name === undefined) return fail(key, 'a literal key');
      entries.set(name, property.initializer);
    }
    return entries;
  };
  const readArray = (node: TS.Expression, expected: string): TS.Expression[] => {
    const value = unwrap(node);
    if (!ts.isArrayLiteralExpression(value)) return fail(value, expected);
    for (const element of value.elements) if (ts.isSpreadElement(element)) fail(element, `${expected} without spreads`);
    return [...value.elements];
  };
  const readBoolean = (node: TS.Expression): boolean | undefined => {
    const value = unwrap(node);
    if (value.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (value.kind === ts.SyntaxKind.FalseKeyword) return false;
    return undefined;
  };

  const config = readObject(exported, 'an object literal as the config');
  const nameNode = config.get('name');
  if (!nameNode) throw new MfConfigParseError(file, lineOf(unwrap(exported)), 'a `name` key', 'none');
  const name = readString(nameNode, 'a string literal as `name`');

  const remotes: MfRemote[] = [];
  const remotesNode = config.get('remotes');
  if (remotesNode) {
    for (const element of readArray(remotesNode, 'an array literal of remote names as `remotes`')) {
      const value = unwrap(element);
      if (ts.isArrayLiteralExpression(value)) {
        const [remote, url] = value.elements;
        if (value.elements.length !== 2 || !remote || !url) fail(value, 'a `[name, url]` tuple');
        remotes.push({ name: readString(remote as TS.Expression, 'a string remote name'), url: readString(url as TS.Expression, 'a string URL') });
      } else {
        remotes.push({ name: readString(value, 'a string remote name or a `[name, url]` tuple') });
      }
    }
  }

  const exposes: Record<string, string> = {};
  const exposesNode = config.get('exposes');
  if (exposesNode) {
    for (const [key, value] of readObject(exposesNode, 'an object literal as `exposes`')) {
      exposes[key] = readString(value, `a string path for the exposed "${key}"`);
    }
  }

  let shared: SharedConfig = { kind: 'default' };
  const sharedNode = config.get('shared');
  if (sharedNode) {
    const value = unwrap(sharedNode);
    if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) {
      shared = { kind: 'function', eagerOnly: isEagerOnly(ts, value, sf), line: lineOf(value) };
    } else if (ts.isArrayLiteralExpression(value)) {
      shared = { kind: 'list', packages: readArray(value, 'an array literal').map((item) => ({ name: readString(item, 'a package name'), singleton: true })) };
    } else {
      const packages: SharedPackage[] = [];
      for (const [pkg, settings] of readObject(value, 'an array, an object or a function as `shared`')) {
        const inner = unwrap(settings);
        let singleton = false;
        if (ts.isObjectLiteralExpression(inner)) {
          const singletonNode = readObject(inner, 'an object literal').get('singleton');
          singleton = singletonNode ? (readBoolean(singletonNode) ?? fail(singletonNode, '`true` or `false`')) : false;
        } else if (!ts.isStringLiteral(inner)) {
          fail(inner, `a version string or a settings object for the shared "${pkg}"`);
        }
        packages.push({ name: pkg, singleton });
      }
      shared = { kind: 'list', packages };
    }
  }

  const additionalShared: string[] = [];
  const additionalNode = config.get('additionalShared');
  if (additionalNode) {
    for (const element of readArray(additionalNode, 'an array literal as `additionalShared`')) {
      const value = unwrap(element);
      if (ts.isArrayLiteralExpression(value) && value.elements[0]) additionalShared.push(readString(value.elements[0], 'a package name'));
      else if (ts.isObjectLiteralExpression(value)) additionalShared.push(readString(readObject(value, 'an object').get('libraryName') ?? value, 'a `libraryName` string'));
      else additionalShared.push(readString(value, 'a package name'));
    }
  }

  return { file, name, remotes, exposes, shared, additionalShared, ignoredKeys: [...config.keys()].filter((key) => !KNOWN_KEYS.has(key)) };
}

/**
 * True for `(name, config) => ({ ...config, eager: true })` (also with a block `return`): Nx's SSR configs make every
 * shared package eager so the Node build loads them synchronously, which an import-map server does anyway.
 */
function isEagerOnly(ts: typeof TS, fn: TS.ArrowFunction | TS.FunctionExpression, sf: TS.SourceFile): boolean {
  let body: TS.Node = fn.body;
  if (ts.isBlock(body)) {
    if (body.statements.length !== 1 || !ts.isReturnStatement(body.statements[0])) return false;
    body = body.statements[0].expression ?? body;
  }
  while (ts.isParenthesizedExpression(body)) body = body.expression;
  if (!ts.isObjectLiteralExpression(body)) return false;
  const configParam = fn.parameters[1]?.name.getText(sf);
  return body.properties.every(
    (property) =>
      (ts.isSpreadAssignment(property) && property.expression.getText(sf) === configParam) ||
      (ts.isPropertyAssignment(property) && property.name.getText(sf) === 'eager' && property.initializer.kind === ts.SyntaxKind.TrueKeyword),
  );
}
