import type { Tree } from '@nx/devkit';
import { logger, names, updateJson } from '@nx/devkit';
import { GENERATOR_MARKER, TAG } from '../../constants';
import { findCyclePath } from '../../protocol/find-cycles';
import { createGeneratorError } from './generator-error';
import { sortKeys } from './sort-keys';
import type { WorkspaceModule, WorkspacePackage } from './workspace-modules';
import { findWorkspacePackage } from './workspace-modules';

/**
 * Finds the module an option names, or throws a message naming the option, what it found and the
 * modules it could have named.
 */
export function findModuleOrThrow(
  packages: WorkspacePackage[],
  nameOrRoot: string,
  option: string,
): WorkspaceModule {
  const found = findWorkspacePackage(packages, nameOrRoot);
  const modules = packages.filter((pkg): pkg is WorkspaceModule => pkg.esmx !== undefined);
  const known = modules.length ? modules.map((module) => module.name).join(', ') : 'none yet';
  if (!found) {
    throw createGeneratorError(
      `${option}=${nameOrRoot}: expected the name of an esmx module of this workspace, found no such project (esmx modules: ${known}).`,
      `pass one of those names, or generate the module first: nx g @esmx/nx:app <directory> --name=${nameOrRoot}`,
    );
  }
  if (!found.esmx) {
    throw createGeneratorError(
      `${option}=${nameOrRoot}: expected an esmx module, found the package ${found.name} (${found.packageJsonPath}) without an "esmx" field (esmx modules: ${known}).`,
      `add an "esmx" field to ${found.packageJsonPath} (see the @esmx/nx README), or name one of the esmx modules`,
    );
  }
  return found as WorkspaceModule;
}

/** Throws `E_CYCLE` with the edge to remove when `from` using `to` would close a cycle. */
export function assertLinkIsAcyclic(modules: WorkspaceModule[], from: WorkspaceModule, to: WorkspaceModule): void {
  const usesOf = new Map(modules.map((module) => [module.name, Array.isArray(module.esmx.uses) ? module.esmx.uses : []]));
  // Only a cycle through the new edge is this link's doing, so from `from` the walk follows that edge alone.
  const cycle = findCyclePath(from.name, (name) => (name === from.name ? [to.name] : (usesOf.get(name) ?? [])));
  if (!cycle) return;
  if (cycle.length === 2) {
    throw createGeneratorError(
      `E_CYCLE: a module cannot use itself (${from.name} → ${to.name}).`,
      'link two different modules: --from=<consumer> --to=<module it uses>',
    );
  }
  const closing = modules.find((module) => module.name === cycle[cycle.length - 2]);
  throw createGeneratorError(
    `E_CYCLE: linking ${from.name} → ${to.name} would create the cycle ${cycle.join(' → ')}; esmx modules must form an acyclic "uses" graph.`,
    `remove "${from.name}" from esmx.uses in ${closing?.packageJsonPath ?? 'its package.json'} first, or move what both need into a third module that both use`,
  );
}

/**
 * Adds `to` to `from`'s `esmx.uses` and a workspace dependency `"<to>": "*"` (npm links workspace
 * packages, and Nx sees the edge). Returns false when both were already there.
 */
export function addModuleUse(tree: Tree, from: WorkspaceModule, to: string): boolean {
  let changed = false;
  updateJson(tree, from.packageJsonPath, (pkg) => {
    const esmx = (pkg.esmx ??= {});
    const uses: string[] = Array.isArray(esmx.uses) ? esmx.uses : [];
    if (!uses.includes(to)) {
      esmx.uses = [...uses, to];
      changed = true;
    }
    const declared = ['dependencies', 'devDependencies', 'peerDependencies'].some((field) => pkg[field]?.[to]);
    if (!declared) {
      pkg.dependencies = sortKeys({ ...(pkg.dependencies ?? {}), [to]: '*' });
      changed = true;
    }
    return pkg;
  });
  from.esmx.uses = [...new Set([...(from.esmx.uses ?? []), to])];
  return changed;
}

export type WidgetImportResult = { status: 'added' | 'present' } | { status: 'skipped'; reason: string };

/**
 * Imports the remote's `./widget` export into the host's `src/app.ts(x)` (shared by its server and
 * client entries) and renders it, at the markers the app generator wrote. Never fails: a host or
 * remote that does not have the generated shape gets a warning with the lines to add by hand.
 */
export function addWidgetImport(tree: Tree, host: WorkspaceModule, remote: WorkspaceModule): WidgetImportResult {
  const widgetKind = detectWidgetKind(tree, remote);
  if (widgetKind === undefined) {
    return { status: 'skipped', reason: `${remote.name} has no "./widget" export written by @esmx/nx:app to import` };
  }
  const appFile = [`${host.root}/src/app.tsx`, `${host.root}/src/app.ts`].find(
    (path) => tree.exists(path) && readText(tree, path).includes(GENERATOR_MARKER.imports),
  );
  if (!appFile) {
    return {
      status: 'skipped',
      reason: `${host.root}/src/app.tsx (or app.ts) with the "// ${GENERATOR_MARKER.imports}" marker was not found; import '${remote.name}/widget' into the host's code yourself`,
    };
  }
  const specifier = `${remote.name}/widget`;
  const source = readText(tree, appFile);
  if (source.includes(`'${specifier}'`)) return { status: 'present' };
  const id = pickFreeIdentifier(source, toIdentifier(remote.name));
  const reactHost = appFile.endsWith('.tsx');
  let next = source;
  let helperNeeded = false;
  if (reactHost && widgetKind === 'react') {
    next = insertBefore(next, GENERATOR_MARKER.imports, `import { Widget as ${id}Widget } from '${specifier}';`);
    next = insertBefore(next, GENERATOR_MARKER.widgets, `<${id}Widget />`);
  } else if (reactHost) {
    helperNeeded = true;
    if (!next.includes(`from './html-remote'`)) {
      next = insertBefore(next, GENERATOR_MARKER.imports, `import { HtmlRemote } from './html-remote';`);
    }
    next = insertBefore(
      next,
      GENERATOR_MARKER.imports,
      `import { renderWidget as render${id}Widget, mountWidget as mount${id}Widget } from '${specifier}';`,
    );
    next = insertBefore(
      next,
      GENERATOR_MARKER.widgets,
      `<HtmlRemote name="${remote.name}" render={render${id}Widget} mount={mount${id}Widget} />`,
    );
  } else if (widgetKind === 'html') {
    next = insertBefore(
      next,
      GENERATOR_MARKER.imports,
      `import { renderWidget as render${id}Widget, mountWidget as mount${id}Widget } from '${specifier}';`,
    );
    next = insertBefore(next, GENERATOR_MARKER.widgets, `\`<div data-esmx-remote="${remote.name}">\${render${id}Widget()}</div>\`,`);
    next = insertBefore(
      next,
      GENERATOR_MARKER.mount,
      `mount${id}Widget(root.querySelector('[data-esmx-remote="${remote.name}"]')!);`,
    );
  } else {
    return {
      status: 'skipped',
      reason: `${host.name} renders plain HTML and ${remote.name}'s widget is a React component; render it with react-dom/server in the host's server entry and hydrateRoot in its client entry`,
    };
  }
  if (next.includes('\0')) {
    return { status: 'skipped', reason: `the markers in ${appFile} were edited; import '${specifier}' yourself` };
  }
  const helper = `${host.root}/src/html-remote.tsx`;
  if (helperNeeded && !tree.exists(helper)) tree.write(helper, HTML_REMOTE_COMPONENT);
  tree.write(appFile, next);
  return { status: 'added' };
}

/** Logs the outcome of `addWidgetImport` for a user who asked for a sample import. */
export function reportWidgetImport(result: WidgetImportResult, host: WorkspaceModule, remote: WorkspaceModule): void {
  if (result.status === 'skipped') {
    logger.warn(`${TAG.generator} sample import of ${remote.name}/widget into ${host.name} skipped: ${result.reason}.`);
  }
}

/** `react` for a `Widget` component, `html` for `renderWidget`/`mountWidget`, undefined otherwise. */
function detectWidgetKind(tree: Tree, remote: WorkspaceModule): 'react' | 'html' | undefined {
  const declared = remote.esmx.exports?.['./widget'];
  const path = typeof declared === 'string' ? declared : declared?.client || declared?.server;
  if (typeof path !== 'string') return undefined;
  const file = `${remote.root}/${path.replace(/^\.\//, '')}`;
  if (!tree.exists(file)) return undefined;
  const source = readText(tree, file);
  if (/export function renderWidget\b/.test(source) && /export function mountWidget\b/.test(source)) return 'html';
  if (/export function Widget\b/.test(source)) return 'react';
  return undefined;
}

/**
 * Inserts `line` above the line holding `marker`, with the marker line's indentation. A missing
 * marker poisons the text with NUL so the caller reports one skip instead of half an edit.
 */
function insertBefore(source: string, marker: string, line: string): string {
  const lines = source.split('\n');
  const index = lines.findIndex((text) => text.includes(marker));
  if (index === -1) return `${source}\0`;
  const indent = /^\s*/.exec(lines[index])?.[0] ?? '';
  lines.splice(index, 0, `${indent}${line}`);
  return lines.join('\n');
}

/** `@acme/cart-ui` → `AcmeCartUi`: a PascalCase identifier for import aliases (`M2dChart` for `2d-chart`). */
function toIdentifier(name: string): string {
  const id = names(name).className;
  return /^[0-9]/.test(id) ? `M${id}` : id;
}

/** `id`, or `id2`, `id3`…: names like `cart-ui` and `cart.ui` map to one identifier, and a second import would not compile. */
function pickFreeIdentifier(source: string, id: string): string {
  const taken = (candidate: string) => new RegExp(`\\b(?:render|mount)?${candidate}Widget\\b`).test(source);
  let candidate = id;
  for (let n = 2; taken(candidate); n++) candidate = `${id}${n}`;
  return candidate;
}

function readText(tree: Tree, path: string): string {
  return tree.read(path, 'utf-8') ?? '';
}

const HTML_REMOTE_COMPONENT = `import { useEffect, useRef } from 'react';

interface HtmlRemoteProps {
  name: string;
  /** Returns the remote's markup: rendered on the server and kept as is when the page hydrates. */
  render: () => string;
  /** Attaches the remote's listeners in the browser. */
  mount: (root: Element) => void;
}

/** Embeds a remote written in plain HTML (no React) in this React page. */
export function HtmlRemote({ name, render, mount }: HtmlRemoteProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current) mount(ref.current);
  }, [mount]);
  return <div ref={ref} data-esmx-remote={name} dangerouslySetInnerHTML={{ __html: render() }} />;
}
`;
