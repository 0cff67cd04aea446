import type * as TS from 'typescript';

/** What a Module Federation app's `bootstrap.tsx` renders, read statically. */
export interface Bootstrap {
  /** The element passed to `root.render(…)`, as written (`<StrictMode><BrowserRouter><App/></BrowserRouter></StrictMode>`). */
  element: string;
  /** Import statements the element needs, as written, without the `react-dom/client` one the entries replace. */
  imports: string[];
  /** The local name of `BrowserRouter` when the element uses it (the server renders a `StaticRouter` in its place). */
  browserRouter?: { local: string; from: string };
}

/**
 * Finds the `createRoot(…).render(<jsx>)` (or `ReactDOM.render`) call of a bootstrap file and keeps its element and
 * imports, so the new entries hydrate exactly what the app rendered before. Returns undefined when there is no such
 * call with a JSX argument: the migration then reports the entries as work to do by hand.
 */
export function readBootstrap(ts: typeof TS, file: string, source: string): Bootstrap | undefined {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  let element: TS.Expression | undefined;
  const visit = (node: TS.Node): void => {
    if (element) return;
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'render' &&
      node.arguments.length >= 1
    ) {
      let argument = node.arguments[0];
      while (ts.isParenthesizedExpression(argument)) argument = argument.expression;
      if (ts.isJsxElement(argument) || ts.isJsxSelfClosingElement(argument) || ts.isJsxFragment(argument)) {
        element = argument;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (!element) return undefined;

  const imports: string[] = [];
  let browserRouter: Bootstrap['browserRouter'];
  for (const statement of sf.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = statement.moduleSpecifier.text;
    if (from === 'react-dom/client' || from === 'react-dom') continue;
    const named = statement.importClause?.namedBindings;
    if (named && ts.isNamedImports(named)) {
      const router = named.elements.find((item) => (item.propertyName ?? item.name).text === 'BrowserRouter');
      if (router) browserRouter = { local: router.name.text, from };
    }
    imports.push(statement.getText(sf));
  }
  return { element: element.getText(sf), imports, ...(browserRouter ? { browserRouter } : {}) };
}
