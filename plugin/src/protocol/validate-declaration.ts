import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ENTRY_EXPORT } from '../constants';
import { isRecord } from '../utils/is-record';
import { findClosest } from '../utils/suggest';
import { createDiagnostic, describeValue, type DiagnosticInput } from './diagnostics';
import { packageNameOf } from './installed-version';
import type { Diagnostic } from './types';

const DECLARATION_KEYS = ['entry', 'exports', 'framework', 'provides', 'singletons', 'uses'];
const TARGET_KEYS = ['client', 'server'];

let compiled: ValidateFunction | undefined;

/**
 * The schema of esmx-schema.ts compiled ahead of time (tools/generate-schema-validator.cjs): compiling it with
 * ajv in every Nx task process cost ~85 ms. Loaded on first use, not at import time.
 */
function getValidator(): ValidateFunction {
  compiled ??= require('./esmx-schema-validator.js') as ValidateFunction;
  return compiled;
}

/**
 * Checks the `esmx` field of `moduleName`'s package.json: the JSON Schema, then the rules a schema
 * cannot say (a module using itself, paths leaving the module, reserved or colliding export names).
 * Returns one E_SCHEMA diagnostic per problem; an empty array means the declaration is valid.
 */
export function validateDeclaration(value: unknown, moduleName: string): Diagnostic[] {
  if (value === undefined) {
    return [
      createDiagnostic({
        code: 'E_SCHEMA',
        module: moduleName,
        text: 'package.json has no "esmx" field, so it is not a linkable module',
        found: 'no "esmx" field',
        required: 'an "esmx" object with entry, exports, provides or uses',
        fix: `add "esmx": { "exports": { ".": "./src/index.ts" } } (or the entries it has) to ${moduleName}'s package.json, or stop using it as a module`,
      }),
    ];
  }
  const validate = getValidator();
  const diagnostics: Diagnostic[] = [];
  if (!validate(value)) {
    const seen = new Set<string>();
    for (const error of validate.errors ?? []) {
      const diagnostic = describeSchemaError(error, value, moduleName);
      if (!diagnostic) continue;
      // allErrors reports several keywords for one bad value (type + const of the same target): keep the first.
      const key = `${error.instancePath}#${keyOfError(error)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(diagnostic);
    }
  }
  diagnostics.push(...checkBeyondSchema(value, moduleName));
  return diagnostics;
}

function keyOfError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `+${String(params.additionalProperty)}`;
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) return `key:${propertyName}`;
  return '';
}

/** What a message builder knows about one ajv error. */
interface SchemaError {
  error: ErrorObject;
  /** The `x-rule` of the schema node that failed ("" when it has none). */
  rule: string;
  /** `esmx.exports["./ui"]`, `esmx.uses[1]`, … */
  where: string;
  data: unknown;
  params: Record<string, unknown>;
  moduleName: string;
}

/** The parts of an E_SCHEMA diagnostic that depend on the error (code and module are the same for all). */
type SchemaMessage = Pick<DiagnosticInput, 'text' | 'found' | 'required' | 'fix'>;
type MessageBuilder = (e: SchemaError) => SchemaMessage;

function describeUnknownKey({ rule, where, params }: SchemaError): SchemaMessage {
  const key = String(params.additionalProperty);
  const allowed = rule === 'declaration' ? DECLARATION_KEYS : TARGET_KEYS;
  const suggestion = findClosest(key, allowed);
  return {
    text: `${where} has an unknown key "${key}"`,
    found: `"${key}"`,
    required: `only ${allowed.join(', ')}`,
    fix: suggestion ? `rename "${key}" to "${suggestion}" in ${where}` : `remove "${key}" from ${where} (allowed keys: ${allowed.join(', ')})`,
  };
}

function describeExportKey({ error, where, data, moduleName }: SchemaError): SchemaMessage {
  const key = String((error as ErrorObject & { propertyName?: string }).propertyName ?? data);
  const suggestion = suggestExportKey(key);
  return {
    text: `${where} key "${key}" must be "." or start with "./"`,
    found: `"${key}"`,
    required: '"." or "./<name>" (segments without ".", ".." or a trailing "/")',
    fix: `rename the key "${key}" to "${suggestion}"; consumers will import "${moduleName}/${suggestion.slice(2)}"`,
  };
}

function describeDuplicateItem({ where, data, params }: SchemaError): SchemaMessage {
  const duplicate = (Array.isArray(data) ? data : [])[Number(params.j)];
  return {
    text: `${where} lists ${describeValue(duplicate)} twice`,
    found: describeValue(data),
    required: 'each name once',
    fix: `remove the second ${describeValue(duplicate)} from ${where}`,
  };
}

function describeRelativePath({ where, data, moduleName }: SchemaError): SchemaMessage {
  const text = String(data);
  return {
    text: `${where} must start with "./"`,
    found: describeValue(data),
    required: 'a path starting with "./", relative to the module root',
    fix: text.startsWith('../') || text.startsWith('/')
      ? `move the file inside ${moduleName} and point ${where} at it with a "./" path`
      : `write ${where} as "./${text}"`,
  };
}

function describeTargets({ error, where, data }: SchemaError): SchemaMessage {
  if (error.keyword === 'minProperties') {
    return {
      text: `${where} must name at least one of client, server`,
      found: describeValue(data),
      required: '{ "client": "./…", "server": "./…" } (either may be false)',
      fix: `give ${where} a "client" and/or "server" path, or remove it`,
    };
  }
  return {
    text: `${where} must be an object { client?, server? }`,
    found: describeValue(data),
    required: '{ "client"?: "./…" | false, "server"?: "./…" | false }',
    fix: `write ${where} as { "client": "./src/entry.client.ts", "server": "./src/entry.server.ts" }`,
  };
}

function describeExportPath(e: SchemaError): SchemaMessage {
  if (e.error.keyword !== 'type') return describeRelativePath(e);
  return {
    text: `${e.where} must be a path starting with "./" or an object { client?, server? }`,
    found: describeValue(e.data),
    required: 'a "./"-relative path, or { "client": "./…" | false, "server": "./…" | false }',
    fix: `set ${e.where} to a path such as "./src/ui.ts", or to { "client": "./src/ui.client.ts", "server": false }`,
  };
}

function describeNameList({ rule, where, data }: SchemaError): SchemaMessage {
  return {
    text: `${where} must be an array of ${rule === 'uses' ? 'module names' : 'package specifiers'}`,
    found: describeValue(data),
    required: rule === 'uses' ? 'an array such as ["shared", "cart"]' : rule === 'singletons' ? 'an array such as ["@tanstack/react-query"]' : 'an array such as ["react", "react-dom/client"]',
    fix: `write ${where} as an array of strings`,
  };
}

/** One message per `x-rule` of esmx-schema.ts. */
const RULE_MESSAGES: Record<string, MessageBuilder> = {
  'export-key': describeExportKey,
  declaration: ({ data, moduleName }) => ({
    text: `esmx must be an object`,
    found: describeValue(data),
    required: 'an object with entry, exports, provides, uses',
    fix: `write "esmx": { "exports": { ".": "./src/index.ts" } } (or the keys it needs) in ${moduleName}'s package.json`,
  }),
  targets: describeTargets,
  exports: ({ where, data }) => ({
    text: `${where} must be an object mapping export names to paths`,
    found: describeValue(data),
    required: '{ "./<name>": "./<path>" }',
    fix: `write ${where} as { "./ui": "./src/ui.ts" }`,
  }),
  target: ({ where, data }) => ({
    text: `${where} must be a path starting with "./" or false`,
    found: describeValue(data),
    required: 'a "./"-relative path or false',
    fix: `set ${where} to a path such as "./src/ui.ts", or to false to leave that side out`,
  }),
  'export-path': describeExportPath,
  path: describeRelativePath,
  provides: describeNameList,
  singletons: describeNameList,
  uses: describeNameList,
  framework: ({ where, data }) => ({
    text: `${where} must name a framework adapter`,
    found: describeValue(data),
    required: 'a lowercase name such as "react", "preact" or "html", or one listed in the "frameworks" option of the @esmx/nx/plugin entry of nx.json',
    fix: `set ${where} to the framework the module's sources are written for`,
  }),
  'package-name': ({ where, data }) => ({
    text: `${where} must be an npm package name`,
    found: describeValue(data),
    required: 'a package name without a subpath, such as "react" or "@tanstack/react-query"',
    fix: `list the package by its npm name in ${where}`,
  }),
  specifier: ({ where, data }) => ({
    text: `${where} must be a bare package specifier`,
    found: describeValue(data),
    required: 'a package name or package subpath, such as "react" or "react-dom/client"',
    fix: `list the package by its npm name in ${where} (relative paths and URLs cannot be provided)`,
  }),
  'module-name': ({ where, data }) => ({
    text: `${where} must be a module's package name`,
    found: describeValue(data),
    required: 'the "name" of a module\'s package.json, such as "cart" or "@shop/cart"',
    fix: `write the used module's package name in ${where} (no paths, no subpaths)`,
  }),
};

/** A schema node without a rule: still readable, from ajv's own words. */
function describeByAjv({ error, where, data, moduleName }: SchemaError): SchemaMessage {
  return {
    text: `${where} ${error.message ?? 'is invalid'}`,
    found: describeValue(data),
    required: JSON.stringify(error.params),
    fix: `correct ${where} in ${moduleName}'s package.json`,
  };
}

/** Keyword-level errors read the same whatever the rule; the rule decides the rest. */
function chooseBuilder(keyword: string, rule: string): MessageBuilder {
  if (keyword === 'additionalProperties') return describeUnknownKey;
  if (keyword === 'uniqueItems' && rule !== 'export-key') return describeDuplicateItem;
  return RULE_MESSAGES[rule] ?? describeByAjv;
}

function describeSchemaError(error: ErrorObject, root: unknown, moduleName: string): Diagnostic | undefined {
  // Wrappers whose inner error is reported on its own.
  if (error.keyword === 'if' || error.keyword === 'propertyNames') return undefined;
  const rule = (error.parentSchema as { 'x-rule'?: string } | undefined)?.['x-rule'] ?? '';
  const context: SchemaError = {
    error,
    rule,
    where: formatInstancePath(error.instancePath, root),
    data: error.data,
    params: error.params as Record<string, unknown>,
    moduleName,
  };
  return createDiagnostic({ code: 'E_SCHEMA', module: moduleName, ...chooseBuilder(error.keyword, rule)(context) });
}

function checkBeyondSchema(value: unknown, moduleName: string): Diagnostic[] {
  if (!isRecord(value)) return [];
  return [
    ...checkSelfUse(value, moduleName),
    ...checkExportNames(value, moduleName),
    ...checkPathsInsideRoot(value, moduleName),
    ...checkSingletonsProvided(value, moduleName),
  ];
}

/** A singleton names a package this module provides: the list says which provided packages must never be bundled twice. */
function checkSingletonsProvided(value: Record<string, unknown>, moduleName: string): Diagnostic[] {
  if (!Array.isArray(value.singletons)) return [];
  const provided = new Set((Array.isArray(value.provides) ? value.provides : []).filter((s) => typeof s === 'string').map(packageNameOf));
  return value.singletons
    .filter((name): name is string => typeof name === 'string' && !provided.has(name))
    .map((name) =>
      createDiagnostic({
        code: 'E_SINGLETON',
        module: moduleName,
        package: name,
        text: `esmx.singletons lists "${name}", which esmx.provides does not provide`,
        found: `"${name}" in esmx.singletons`,
        required: `"${name}" (or one of its subpaths) in esmx.provides`,
        fix: `add "${name}" to esmx.provides of ${moduleName} (and to its dependencies), or remove it from esmx.singletons`,
      }),
    );
}

function checkSelfUse(value: Record<string, unknown>, moduleName: string): Diagnostic[] {
  if (!Array.isArray(value.uses) || !value.uses.includes(moduleName)) return [];
  return [
    createDiagnostic({
      code: 'E_SCHEMA',
      module: moduleName,
      text: `esmx.uses lists the module itself`,
      found: `"${moduleName}"`,
      required: 'the names of other modules',
      fix: `remove "${moduleName}" from esmx.uses (a module always sees its own exports)`,
    }),
  ];
}

function checkExportNames(value: Record<string, unknown>, moduleName: string): Diagnostic[] {
  const exportsField = value.exports;
  if (!isRecord(exportsField)) return [];
  const diagnostics: Diagnostic[] = [];
  for (const key of Object.keys(exportsField)) {
    const name = key === '.' ? 'index' : key.slice(2);
    if (name !== ENTRY_EXPORT.client && name !== ENTRY_EXPORT.server) continue;
    diagnostics.push(
      createDiagnostic({
        code: 'E_SCHEMA',
        module: moduleName,
        text: `esmx.exports key "${key}" is reserved for the framework entry`,
        found: `"${key}"`,
        required: `an export name other than ${ENTRY_EXPORT.client} and ${ENTRY_EXPORT.server}`,
        fix: `declare entries under esmx.entry, or rename the export (e.g. "./${name.replace('.', '-')}")`,
      }),
    );
  }
  if ('.' in exportsField && './index' in exportsField) {
    diagnostics.push(
      createDiagnostic({
        code: 'E_SCHEMA',
        module: moduleName,
        text: 'esmx.exports has both "." and "./index", which are the same export',
        found: '"." and "./index"',
        required: 'one of them',
        fix: 'remove "./index" (or ".") from esmx.exports',
      }),
    );
  }
  return diagnostics;
}

/** Every entry and export path with where it is declared, e.g. [`esmx.exports["./ui"].client`, "./src/ui.ts"]. */
function listDeclaredPaths(value: Record<string, unknown>): Array<[string, unknown]> {
  const paths: Array<[string, unknown]> = [];
  if (isRecord(value.entry)) {
    for (const side of TARGET_KEYS) paths.push([`esmx.entry.${side}`, value.entry[side]]);
  }
  if (isRecord(value.exports)) {
    for (const [key, target] of Object.entries(value.exports)) {
      const where = `esmx.exports[${JSON.stringify(key)}]`;
      if (isRecord(target)) {
        for (const side of TARGET_KEYS) paths.push([`${where}.${side}`, target[side]]);
      } else {
        paths.push([where, target]);
      }
    }
  }
  return paths;
}

function checkPathsInsideRoot(value: Record<string, unknown>, moduleName: string): Diagnostic[] {
  return listDeclaredPaths(value)
    .filter(([, target]) => typeof target === 'string' && target.startsWith('./') && escapesRoot(target))
    .map(([where, target]) =>
      createDiagnostic({
        code: 'E_SCHEMA',
        module: moduleName,
        text: `${where} points outside the module`,
        found: JSON.stringify(target),
        required: 'a "./" path inside the module root',
        fix: `move the file inside ${moduleName} and point ${where} at it`,
      }),
    );
}

function escapesRoot(relativePath: string): boolean {
  const normalized = path.posix.normalize(relativePath);
  return normalized === '..' || normalized.startsWith('../');
}

/** `esmx.exports["./ui"]`, `esmx.uses[1]`, `esmx.entry.client` from an ajv instance path. */
export function formatInstancePath(instancePath: string, root: unknown): string {
  let text = 'esmx';
  let current: unknown = root;
  if (instancePath === '') return text;
  for (const raw of instancePath.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
    current = isRecord(current) || Array.isArray(current) ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return text;
}

function suggestExportKey(key: string): string {
  const cleaned = key.replace(/^\.?\/*/, '').replace(/\/+$/, '').split('/').filter((s) => s && s !== '.' && s !== '..');
  return cleaned.length === 0 ? '.' : `./${cleaned.join('/')}`;
}
