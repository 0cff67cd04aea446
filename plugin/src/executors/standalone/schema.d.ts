/** Options of the `@esmx/nx:standalone` executor (mirrors schema.json). */
export interface StandaloneExecutorSchema {
  /** Module name → directory or https URL for this output, over the environment's links. */
  links?: Record<string, string>;
  /** An environment of the host's esmx.links.json. */
  environment?: string;
}
