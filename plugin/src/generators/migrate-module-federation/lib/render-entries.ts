import type { Bootstrap } from './read-bootstrap';

export interface EntryInput {
  /** The module name (the page title when index.html has none). */
  name: string;
  title: string;
  bootstrap: Bootstrap;
  /** Where `StaticRouter` comes from: `react-router-dom/server` (v6) or `react-router` (v7). */
  staticRouterFrom: string;
}

/**
 * The client entry: hydrates the element the app's bootstrap rendered, with the same imports. Module Federation
 * needed `main.ts` → `import('./bootstrap')` as an async boundary; native ES modules do not.
 */
export function renderClientEntry(input: EntryInput): string {
  return `${input.bootstrap.imports.join('\n')}
import { hydrateRoot } from 'react-dom/client';

// Migrated from src/bootstrap.tsx by @esmx/nx:migrate-module-federation: the server renders the same element
// (entry.server), so the browser hydrates it instead of rendering it again.
hydrateRoot(
  document.getElementById('root') as HTMLElement,
  ${indent(input.bootstrap.element, 2)},
);
`;
}

/**
 * The server entry: renders the same element (a \`StaticRouter\` at the request URL in place of \`BrowserRouter\`) and waits
 * for every lazy component, remotes included, before answering: \`renderToString\` would send the Suspense fallback
 * of \`React.lazy(() => import('shop/Module'))\` instead of the remote's markup.
 */
export function renderServerEntry(input: EntryInput): string {
  const router = input.bootstrap.browserRouter;
  const element = router
    ? input.bootstrap.element
        .replace(new RegExp(`<${router.local}(\\s[^>]*)?>`, 'g'), '<StaticRouter location={url}>')
        .replace(new RegExp(`</${router.local}>`, 'g'), '</StaticRouter>')
    : input.bootstrap.element;
  const routerImport = router ? `\nimport { StaticRouter } from '${input.staticRouterFrom}';` : '';
  return `import type { RenderContext } from '@esmx/nx/runtime';
import { PassThrough } from 'node:stream';
import { renderToPipeableStream } from 'react-dom/server';${routerImport}
${input.bootstrap.imports.join('\n')}

/** Renders the app at \`url\` once every lazy component (each remote's module) has loaded. */
function renderApp(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    sink.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    sink.on('error', reject);
    const stream = renderToPipeableStream(
      ${indent(element, 6)},
      {
        onAllReady: () => stream.pipe(sink),
        onShellError: reject,
        // A part that fails (a remote that cannot load) renders its Suspense fallback; the browser retries it.
        onError: (error) => console.error(error),
      },
    );
  });
}

/** Migrated from src/main.server.tsx and server.ts by @esmx/nx:migrate-module-federation. */
export default async function render(rc: RenderContext): Promise<void> {
  const app = await renderApp(rc.params.url);
  rc.html = \`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeTemplate(input.title)}</title>
    <link rel="icon" href="data:,">
    \${rc.importmap()}
    \${rc.modulePreload()}
    \${rc.preload()}
    \${rc.css()}
  </head>
  <body>
    <div id="root">\${app}</div>
    \${rc.moduleEntry()}
  </body>
</html>
\`;
}
`;
}

/** The `<title>` of an index.html, or undefined. */
export function readTitle(html: string | undefined): string | undefined {
  const match = html ? /<title>([^<]*)<\/title>/i.exec(html) : null;
  return match ? match[1].trim() : undefined;
}

function indent(text: string, spaces: number): string {
  return text.split('\n').join(`\n${' '.repeat(spaces)}`);
}

function escapeTemplate(text: string): string {
  return text.replace(/[\\`$]/g, (c) => `\\${c}`).replace(/</g, '&lt;');
}
