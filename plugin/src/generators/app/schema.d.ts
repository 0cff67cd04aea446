export type ModuleRole = 'host' | 'remote' | 'provider';
/** A built-in framework (`react`, `preact`, `html`, …) or one the workspace registers in the plugin options. */
export type ModuleFramework = string;

export interface AppGeneratorSchema {
  directory: string;
  role: ModuleRole;
  framework: ModuleFramework;
  name?: string;
  host?: string;
  /** Host only: remotes to render, linked when they exist, generated beside the host when they do not. */
  remotes?: string[] | string;
  provides?: string[] | string;
  uses?: string[] | string;
  port?: number;
  skipInstall?: boolean;
}
