/**
 * The class names a CSS module declares, in order of first appearance (comments ignored): what the specs of a
 * generated module see as `styles.<name>`. Each maps to itself, so a spec asserts `class="counter"`; the build adds a
 * content hash (`counter-1a2b3c`) that a spec should not depend on.
 */
export function listCssModuleClassNames(css: string): string[] {
  const withoutComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  return [...new Set([...withoutComments.matchAll(/\.(-?[_a-zA-Z][\w-]*)/g)].map((match) => match[1]))];
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * A CSS module as JavaScript: `module.exports` holds every class name (`import * as styles` and
 * `import styles from` both see them); as an ES module, a default export and a named export per class name that is
 * an identifier. A plain `.css` file (not a module) exports nothing.
 */
export function compileCssModule(css: string, isModule: boolean, esm: boolean): string {
  const names = isModule ? listCssModuleClassNames(css) : [];
  const classes = `{${names.map((name) => `${JSON.stringify(name)}: ${JSON.stringify(name)}`).join(', ')}}`;
  if (!esm) return `module.exports = ${classes};\n`;
  const named = names.filter((name) => IDENTIFIER.test(name) && name !== 'default');
  return [`const classes = ${classes};`, 'export default classes;', ...named.map((name) => `export const ${name} = classes[${JSON.stringify(name)}];`)].join('\n') + '\n';
}
