import { DEFAULT_TARGET_NAMES } from '../../constants';

/** Options of the `@esmx/nx/plugin` entry in nx.json `plugins`. */
export interface EsmxPluginOptions {
  bundleTargetName?: string;
  buildTargetName?: string;
  serveTargetName?: string;
  startTargetName?: string;
  validateTargetName?: string;
  standaloneTargetName?: string;
  testTargetName?: string;
  typecheckTargetName?: string;
  /** The workspace's own framework adapters: name → adapter file, relative to the workspace root. */
  frameworks?: Record<string, string>;
}

export interface TargetNames {
  bundle: string;
  build: string;
  serve: string;
  start: string;
  validate: string;
  standalone: string;
  test: string;
  typecheck: string;
}

export function normalizeOptions(options: EsmxPluginOptions | undefined): TargetNames {
  const pick = (value: unknown, fallback: string) =>
    typeof value === 'string' && value.trim().length > 0 ? value.trim() : fallback;
  return {
    bundle: pick(options?.bundleTargetName, DEFAULT_TARGET_NAMES.bundle),
    build: pick(options?.buildTargetName, DEFAULT_TARGET_NAMES.build),
    serve: pick(options?.serveTargetName, DEFAULT_TARGET_NAMES.serve),
    start: pick(options?.startTargetName, DEFAULT_TARGET_NAMES.start),
    validate: pick(options?.validateTargetName, DEFAULT_TARGET_NAMES.validate),
    standalone: pick(options?.standaloneTargetName, DEFAULT_TARGET_NAMES.standalone),
    test: pick(options?.testTargetName, DEFAULT_TARGET_NAMES.test),
    typecheck: pick(options?.typecheckTargetName, DEFAULT_TARGET_NAMES.typecheck),
  };
}
