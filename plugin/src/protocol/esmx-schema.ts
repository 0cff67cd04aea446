/**
 * JSON Schema (draft 2020-12 subset understood by ajv 8) of the `esmx` field of a module's package.json.
 *
 * `x-rule` is an annotation keyword registered with ajv: it names the rule a node enforces so that
 * validate-declaration.ts can turn each ajv error into one readable diagnostic with a fix.
 */

/** `.` or `./name` with `/`-separated segments; no empty, `.` or `..` segments, no trailing slash. */
export const EXPORT_KEY_PATTERN = '^\\.(?:/(?!\\.\\.?(?:/|$))[^/\\s]+)*$';
/** A bare specifier: a package name (optionally scoped) with an optional subpath. */
export const SPECIFIER_PATTERN = '^(?:@[a-z0-9~][a-z0-9._~-]*/)?[a-z0-9~][a-z0-9._~-]*(?:/[^\\s/]+)*$';
/** An npm package name (optionally scoped), no subpath. */
export const MODULE_NAME_PATTERN = '^(?:@[a-z0-9~][a-z0-9._~-]*/)?[a-z0-9~][a-z0-9._~-]*$';
/** A framework adapter's name: built in (`react`, `preact`, `html`, …) or registered in the plugin options. */
export const FRAMEWORK_NAME_PATTERN = '^[a-z][a-z0-9-]*$';
/** `./`-relative source path. */
export const RELATIVE_PATH_PATTERN = '^\\./';

export const ESMX_SCHEMA = {
  type: 'object',
  'x-rule': 'declaration',
  additionalProperties: false,
  properties: {
    entry: { $ref: '#/$defs/entryTargets' },
    exports: {
      type: 'object',
      'x-rule': 'exports',
      propertyNames: { 'x-rule': 'export-key', type: 'string', pattern: EXPORT_KEY_PATTERN },
      additionalProperties: {
        if: { type: 'object' },
        then: { $ref: '#/$defs/exportTargets' },
        else: { $ref: '#/$defs/exportPath' },
      },
    },
    provides: {
      type: 'array',
      'x-rule': 'provides',
      uniqueItems: true,
      items: { type: 'string', 'x-rule': 'specifier', pattern: SPECIFIER_PATTERN },
    },
    framework: { type: 'string', 'x-rule': 'framework', pattern: FRAMEWORK_NAME_PATTERN },
    singletons: {
      type: 'array',
      'x-rule': 'singletons',
      uniqueItems: true,
      items: { type: 'string', 'x-rule': 'package-name', pattern: MODULE_NAME_PATTERN },
    },
    uses: {
      type: 'array',
      'x-rule': 'uses',
      uniqueItems: true,
      items: { type: 'string', 'x-rule': 'module-name', pattern: MODULE_NAME_PATTERN },
    },
  },
  $defs: {
    target: {
      'x-rule': 'target',
      type: ['string', 'boolean'],
      if: { type: 'string' },
      then: { 'x-rule': 'path', pattern: RELATIVE_PATH_PATTERN },
      else: { 'x-rule': 'target', const: false },
    },
    exportPath: {
      'x-rule': 'export-path',
      type: 'string',
      pattern: RELATIVE_PATH_PATTERN,
    },
    entryTargets: {
      type: 'object',
      'x-rule': 'targets',
      additionalProperties: false,
      properties: {
        client: { $ref: '#/$defs/target' },
        server: { $ref: '#/$defs/target' },
      },
    },
    exportTargets: {
      type: 'object',
      'x-rule': 'targets',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        client: { $ref: '#/$defs/target' },
        server: { $ref: '#/$defs/target' },
      },
    },
  },
} as const;
