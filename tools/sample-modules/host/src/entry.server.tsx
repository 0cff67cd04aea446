import { renderToString } from 'react-dom/server';
import type { RenderContext } from '@esmx/nx/runtime';
import { App } from './app';

export default async function render(rc: RenderContext) {
  const body = renderToString(<App />);
  rc.html = `<!doctype html><html><head>${rc.importmap()}</head><body><div id="app">${body}</div>${rc.moduleEntry()}</body></html>`;
}
