import { relative, sep } from 'node:path';
import { inferRoles } from '../module-roles';
import type { Diagnostic, NormalizedExport, Resolution, Severity } from '../types';

export interface LinkGraphNode {
  id: string;
  name: string;
  version?: string;
  isRoot: boolean;
  /** self / node_modules / link, or `missing` for a used name that could not be mounted. */
  via: 'self' | 'node_modules' | 'link' | 'missing';
  /** Directory relative to the root module, or the URL of a URL-linked module. */
  location?: string;
  built?: boolean;
  roles: string[];
  entry?: { client: string | false; server: string | false };
  exports: NormalizedExport[];
  provides: { specifier: string; version?: string }[];
  uses: string[];
  usedBy: string[];
  diagnostics: Diagnostic[];
  /** The worst severity among its diagnostics. */
  severity?: Severity;
  layer: number;
  x: number;
  y: number;
}

export interface LinkGraphEdge {
  from: string;
  to: string;
  path: string;
  kind: 'uses' | 'missing' | 'back';
}

export interface SupplyRow {
  package: string;
  major: number;
  version: string;
  provider: string;
  specifiers: string[];
  consumers: string[];
}

export interface LinkGraph {
  module: string;
  nodes: LinkGraphNode[];
  edges: LinkGraphEdge[];
  supply: SupplyRow[];
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  width: number;
  height: number;
  nodeWidth: number;
  nodeHeight: number;
}

const NODE_WIDTH = 200;
const NODE_HEIGHT = 56;
const GAP_X = 40;
const GAP_Y = 90;
const MARGIN = 24;

/**
 * Turns a resolution into what the page shows: one node per module of the closure (plus used names that could not
 * be mounted), `uses` edges, the supply table with its consumers, and a layered layout (consumers above what they
 * use) computed here so that the page needs no script to draw itself.
 */
export function buildLinkGraph(resolution: Resolution): LinkGraph {
  const rootName = resolution.module;
  const rootDir = resolution.mounts[rootName]?.root ?? resolution.modules[rootName]?.root;
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  add(rootName);
  for (const name of Object.keys(resolution.mounts)) add(name);
  for (const name of Object.keys(resolution.modules)) add(name);
  for (const info of Object.values(resolution.modules)) for (const used of info.uses) add(used);

  const consumersOf = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const info of Object.values(resolution.modules)) {
    for (const used of info.uses) if (used !== info.name) consumersOf.get(used)?.push(info.name);
  }

  const providedVersion = new Map<string, string>();
  for (const group of resolution.supply.groups) {
    for (const specifier of group.specifiers) providedVersion.set(`${group.provider}\0${specifier}`, group.version);
  }

  // Who uses whom within this closure: what the page shows is the closure of its root module.
  const usedNames = new Set(Object.values(resolution.modules).flatMap((m) => m.uses));
  const nodes: LinkGraphNode[] = names.map((name, index) => {
    const info = resolution.modules[name];
    const mount = resolution.mounts[name];
    const diagnostics = resolution.diagnostics.filter(
      (d) => d.module === name || (d.package === name && !resolution.modules[name]),
    );
    const via: LinkGraphNode['via'] = mount ? mount.via : name === rootName ? 'self' : 'missing';
    let location: string | undefined;
    if (mount?.url) location = mount.url;
    else if (mount?.root && rootDir) location = toPosix(relative(rootDir, mount.root)) || '.';
    const roles: string[] = info
      ? inferRoles({
          hasEntry: info.entry.client !== false || info.entry.server !== false,
          exportCount: info.exports.length,
          provideCount: info.provides.length,
          used: usedNames.has(name),
        })
      : [];
    return {
      id: `m${index}`,
      name,
      version: info?.version,
      isRoot: name === rootName,
      via,
      location,
      built: mount?.built,
      roles,
      entry: info?.entry,
      exports: info?.exports ?? [],
      provides: (info?.provides ?? []).map((specifier) => ({ specifier, version: providedVersion.get(`${name}\0${specifier}`) })),
      uses: info?.uses ?? [],
      usedBy: consumersOf.get(name) ?? [],
      diagnostics,
      severity: diagnostics.some((d) => d.severity === 'error')
        ? 'error'
        : diagnostics.length > 0
          ? 'warning'
          : undefined,
      layer: 0,
      x: 0,
      y: 0,
    };
  });

  const layout = layoutNodes(nodes, rootName);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const edges: LinkGraphEdge[] = [];
  for (const node of nodes) {
    for (const used of node.uses) {
      const target = byName.get(used);
      if (!target || used === node.name) continue;
      const kind: LinkGraphEdge['kind'] =
        target.via === 'missing' ? 'missing' : layout.back.has(`${node.name}\0${used}`) ? 'back' : 'uses';
      edges.push({ from: node.id, to: target.id, kind, path: edgePath(node, target, kind) });
    }
  }

  const supply: SupplyRow[] = resolution.supply.groups.map((group) => {
    const consumers = Object.entries(resolution.supply.wiring)
      .filter(([consumer, wires]) =>
        consumer !== group.provider &&
        Object.values(wires).some((w) => w.provider === group.provider && w.package === group.package && w.major === group.major),
      )
      .map(([consumer]) => consumer)
      .sort();
    return { ...group, specifiers: [...group.specifiers], consumers };
  });

  return {
    module: rootName,
    nodes,
    edges,
    supply,
    diagnostics: resolution.diagnostics,
    errors: resolution.diagnostics.filter((d) => d.severity === 'error').length,
    warnings: resolution.diagnostics.filter((d) => d.severity === 'warning').length,
    // Room for the curves of cycle edges, drawn to the right of the nodes.
    width: layout.width + (edges.some((e) => e.kind === 'back') ? 80 : 0),
    height: layout.height,
    nodeWidth: NODE_WIDTH,
    nodeHeight: NODE_HEIGHT,
  };
}

/**
 * Layers: a depth-first walk from the root marks the edges that close a `uses` cycle ("back" edges); the rest is a
 * DAG, layered by longest path so that every module sits below all of its consumers. Then left-to-right by name.
 */
function layoutNodes(nodes: LinkGraphNode[], rootName: string): { width: number; height: number; back: Set<string> } {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const order: string[] = [];
  const visit = (name: string) => {
    state.set(name, 'open');
    for (const used of byName.get(name)!.uses) {
      if (!byName.has(used) || used === name) continue;
      const seen = state.get(used);
      if (seen === 'open') back.add(`${name}\0${used}`);
      else if (seen === undefined) visit(used);
    }
    state.set(name, 'done');
    order.push(name);
  };
  visit(rootName);
  for (const node of nodes) if (!state.has(node.name)) visit(node.name);

  const layer = new Map<string, number>(nodes.map((n) => [n.name, 0]));
  // Reverse post-order is a topological order of the DAG left once back edges are ignored.
  for (const name of order.reverse()) {
    for (const used of byName.get(name)!.uses) {
      if (!byName.has(used) || used === name || back.has(`${name}\0${used}`)) continue;
      layer.set(used, Math.max(layer.get(used)!, layer.get(name)! + 1));
    }
  }
  const rows = new Map<number, LinkGraphNode[]>();
  for (const node of nodes) {
    node.layer = layer.get(node.name)!;
    if (!rows.has(node.layer)) rows.set(node.layer, []);
    rows.get(node.layer)!.push(node);
  }
  const layers = [...rows.keys()].sort((a, b) => a - b);
  const widest = Math.max(...[...rows.values()].map((r) => r.length));
  const width = MARGIN * 2 + widest * NODE_WIDTH + (widest - 1) * GAP_X;
  layers.forEach((key, row) => {
    const members = rows.get(key)!;
    members.sort((a, b) => (a.isRoot ? -1 : b.isRoot ? 1 : a.name < b.name ? -1 : 1));
    const rowWidth = members.length * NODE_WIDTH + (members.length - 1) * GAP_X;
    members.forEach((node, i) => {
      node.x = (width - rowWidth) / 2 + i * (NODE_WIDTH + GAP_X);
      node.y = MARGIN + row * (NODE_HEIGHT + GAP_Y);
    });
  });
  const height = MARGIN * 2 + layers.length * NODE_HEIGHT + (layers.length - 1) * GAP_Y;
  return { width, height, back };
}

function edgePath(from: LinkGraphNode, to: LinkGraphNode, kind: LinkGraphEdge['kind']): string {
  if (kind === 'back') {
    // Upward edge of a cycle: leave from the right side and curve around, so it cannot hide behind forward edges.
    const x1 = from.x + NODE_WIDTH;
    const y1 = from.y + NODE_HEIGHT / 2;
    const x2 = to.x + NODE_WIDTH;
    const y2 = to.y + NODE_HEIGHT / 2;
    const bulge = Math.max(x1, x2) + 60;
    return `M${x1} ${y1} C${bulge} ${y1} ${bulge} ${y2} ${x2 + 6} ${y2}`;
  }
  const x1 = from.x + NODE_WIDTH / 2;
  const y1 = from.y + NODE_HEIGHT;
  const x2 = to.x + NODE_WIDTH / 2;
  const y2 = to.y - 6;
  const dy = (y2 - y1) / 2;
  return `M${x1} ${y1} C${x1} ${y1 + dy} ${x2} ${y2 - dy} ${x2} ${y2}`;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
