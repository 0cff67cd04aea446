/** Options of the `@esmx/nx:validate` executor (mirrors schema.json). */
export interface ValidateExecutorSchema {
  /** Print only the JSON envelope `{ diagnostics, supply, mounts }` on stdout. Default false. */
  json?: boolean;
  /** Module name → directory (absolute or relative to this module's root) or http(s) URL; overrides node_modules. */
  links?: Record<string, string>;
  /** Path (relative to the workspace root) of a link-graph HTML page to write; rendered by the graph layer. */
  linkGraph?: string;
  /** Path (relative to the workspace root) of a file to write the JSON envelope to, pure JSON. */
  outputFile?: string;
  /** A deployed host's dist/link.json (path or URL) to check this module's build against. */
  against?: string;
}
