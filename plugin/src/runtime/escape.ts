/** Escaping for the HTML the render helpers emit. */

const HTML_ATTR: Record<string, string> = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;', "'": '&#39;' };

/** The one HTML escape (`&"<>'`): safe for text content and for a quoted attribute value alike. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&"<>']/g, (c) => HTML_ATTR[c]);
}

const SCRIPT_UNSAFE: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON that is safe inside an inline `<script>`: `<`, `>` and `&` become `\u003c`…, so neither `</script>` nor
 * `<!--` can appear, and U+2028/9 are escaped because older engines treat them as line terminators in JS source.
 * The result is still valid JSON and a valid JS expression. `undefined` (and functions) serialize as `null`.
 */
export function serializeForScript(data: unknown): string {
  const json = JSON.stringify(data);
  return (json === undefined ? 'null' : json).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_UNSAFE[c]);
}

/** ` nonce="…"` or an empty string. */
export function nonceAttribute(nonce: string | undefined): string {
  return nonce ? ` nonce="${escapeAttribute(nonce)}"` : '';
}
