/** Options of the `@esmx/nx:link` executor (mirrors schema.json). */
export interface LinkExecutorSchema {
  /** Module name → directory (absolute or relative to this module's root) or https URL; overrides node_modules and the environment's links. */
  links?: Record<string, string>;
  /** An environment of the module's esmx.links.json whose links apply (set by the inferred configurations). */
  environment?: string;
}
