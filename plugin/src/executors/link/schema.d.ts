/** Options of the `@esmx/nx:link` executor (mirrors schema.json). */
export interface LinkExecutorSchema {
  /** Module name → directory (absolute or relative to this module's root) or https URL; overrides node_modules. */
  links?: Record<string, string>;
}
