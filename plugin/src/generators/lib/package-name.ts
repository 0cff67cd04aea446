/** Names npm refuses whatever their spelling. */
const RESERVED_NAMES = new Set(['node_modules', 'favicon.ico']);
const MAX_LENGTH = 214;

/**
 * Checks `name` against npm's package-name rules (the module name is also the URL namespace and the
 * import specifier prefix, so it has to be one). Returns what is wrong, or undefined when valid.
 */
export function findPackageNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  if (name.trim() !== name) return 'it starts or ends with whitespace';
  if (name !== name.toLowerCase()) return 'it contains capital letters';
  if (RESERVED_NAMES.has(name)) return `"${name}" is reserved by npm`;
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  if (name.startsWith('@') && !scoped) return 'a scoped name must look like @scope/name';
  const parts = scoped ? [scoped[1], scoped[2]] : [name];
  for (const part of parts) {
    if (part.startsWith('.') || part.startsWith('_')) return 'it starts with "." or "_"';
    if (!/^[a-z0-9._-]+$/.test(part)) {
      return 'it contains characters that are not allowed (use a-z 0-9 - . _)';
    }
  }
  return undefined;
}
