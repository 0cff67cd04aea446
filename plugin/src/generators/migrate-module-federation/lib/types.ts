import type { Bootstrap } from './read-bootstrap';
import type { MfConfig } from './parse-mf-config';

/** One Nx project with a Module Federation config, as read from the tree. */
export interface MfProjectInput {
  /** Nx project name. */
  project: string;
  /** Posix path of the project root. */
  root: string;
  config: MfConfig;
  serverConfig?: MfConfig;
  /** Every file under the root (workspace-relative), without node_modules and dist. */
  files: string[];
  /** Contents of the project's script sources (`.ts`, `.tsx`, `.js`, `.jsx`, `.mjs`, `.cjs`), by path. */
  sources: Record<string, string>;
  /** `src/bootstrap.tsx` read statically, when it renders a JSX element. */
  bootstrap?: Bootstrap;
  /** `<title>` of `src/index.html`. */
  title?: string;
  projectJson?: Record<string, any>;
  /** An existing package.json at the project root. */
  packageJson?: Record<string, any>;
}

export interface MigrationInput {
  rootPackageJson: Record<string, any>;
  nxJson: Record<string, any>;
  mfProjects: MfProjectInput[];
  /** Every Nx project name of the workspace. */
  projectNames: string[];
  /** Workspace packages by name → root (the provider may be one already). */
  packages: Array<{ name: string; root: string; provides?: string[] }>;
  /** Script sources outside the MF projects (other projects, root config files), to keep the dependencies they use. */
  otherSources: Record<string, string>;
  /** `--project`: migrate this project and the remotes it loads (transitively); all MF projects when absent. */
  project?: string;
}

export interface PlannedModule {
  name: string;
  project: string;
  root: string;
  role: 'host' | 'remote';
  packageJson: Record<string, any>;
}

/** A construct the generator left as it was, and what to do by hand. */
export interface ManualStep {
  where: string;
  what: string;
  todo: string;
}

export interface MigrationPlan {
  provider: { name: string; root: string; packageJson: Record<string, any>; existed: boolean };
  modules: PlannedModule[];
  /** Files to write (created or replaced), by path. */
  writes: Record<string, string>;
  /** Files the migration replaces: removed, with a `.mf-backup` copy unless `--no-backup`. */
  removes: string[];
  rootPackageJson: Record<string, any>;
  nxJson: Record<string, any>;
  removedDependencies: string[];
  manual: ManualStep[];
  /** One line per change, for the summary. */
  changes: string[];
}
