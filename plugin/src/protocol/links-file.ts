/**
 * `esmx.links.json` in a module's root: where the modules it uses live, per environment, checked into the
 * repository next to the module's package.json.
 *
 *   { "environments": { "staging": { "cart": "https://staging.example.com/cart/client/" },
 *                       "production": { "cart": "https://cdn.example.com/cart/1.4.0/client/" } } }
 *
 * A value is what `--links.<name>` takes: a directory (absolute, or relative to the module) or an http(s) URL of the
 * module's client files. The graph plugin turns every environment into a configuration of `build`, `start`, `serve`
 * and `standalone` (`nx run shell:build:staging`); links given on the command line apply on top, for one run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TAG } from '../constants';
import { isRecord } from '../utils/is-record';
import { locateJsonError } from './json-position';

export const LINKS_FILE = 'esmx.links.json';

/** Environment name → module name → directory or URL. */
export type LinkEnvironments = Record<string, Record<string, string>>;

const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function fail(tag: string, file: string, expected: string, found: string, fix: string): never {
  throw new Error(`${tag} expected ${expected} in ${file}, found ${found}. Fix: ${fix}`);
}

/** Parses and checks the text of a links file; throws a tagged error naming `file`. */
export function parseLinksFile(text: string, file: string, tag: string = TAG.link): LinkEnvironments {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const at = locateJsonError(text);
    const where = at ? ` at line ${at.line}, column ${at.column} (expected ${at.expected})` : '';
    fail(tag, file, 'JSON', `invalid JSON${where}`, `correct the file, e.g. { "environments": { "staging": { "cart": "https://…/cart/client/" } } }`);
  }
  if (!isRecord(value) || !isRecord(value.environments)) {
    fail(tag, file, 'an object with "environments"', JSON.stringify(value)?.slice(0, 80) ?? String(value), 'write { "environments": { "<name>": { "<module>": "<dir or URL>" } } }');
  }
  const environments: LinkEnvironments = {};
  for (const [name, links] of Object.entries(value.environments)) {
    if (!ENVIRONMENT_NAME.test(name)) {
      fail(tag, file, 'environment names of letters, digits, - and _ (they become Nx configurations)', JSON.stringify(name), 'rename it, e.g. "staging"');
    }
    if (!isRecord(links)) fail(tag, file, `environments.${name} to map module names to a directory or URL`, JSON.stringify(links), `write "${name}": { "<module>": "<dir or URL>" }`);
    for (const [module, target] of Object.entries(links)) {
      if (typeof target !== 'string' || target === '') {
        fail(tag, file, `environments.${name}.${module} to be a directory or an http(s) URL`, JSON.stringify(target), `write "${module}": "https://static.example.com/${module}/client/"`);
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !/^https?:\/\//i.test(target)) {
        fail(tag, file, `environments.${name}.${module} to be a directory or an http(s) URL`, JSON.stringify(target), 'use an https URL of the module\'s client files');
      }
    }
    environments[name] = { ...(links as Record<string, string>) };
  }
  return environments;
}

/** The environments of the module at `root`; empty when it has no links file. */
export function readLinksFile(root: string, tag: string = TAG.link): LinkEnvironments {
  const file = join(root, LINKS_FILE);
  if (!existsSync(file)) return {};
  return parseLinksFile(readFileSync(file, 'utf8'), file, tag);
}

/**
 * The links of one run: the environment's from the links file, then the command line's over them. Throws a tagged
 * error for an environment the file does not define (or a file that is not valid).
 */
export function resolveLinks(
  root: string,
  options: { environment?: string; links?: Record<string, string> },
  tag: string = TAG.link,
): Record<string, string> {
  const environments = readLinksFile(root, tag);
  let fromFile: Record<string, string> = {};
  if (options.environment !== undefined) {
    fromFile = environments[options.environment];
    if (!fromFile) {
      const known = Object.keys(environments);
      fail(
        tag,
        join(root, LINKS_FILE),
        `the environment "${options.environment}"`,
        known.length ? `only ${known.map((n) => `"${n}"`).join(', ')}` : 'no such environment',
        `add "${options.environment}" under "environments", or run one of the configurations it defines`,
      );
    }
  }
  return { ...fromFile, ...(options.links ?? {}) };
}
