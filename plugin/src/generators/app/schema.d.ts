export type ModuleRole = 'host' | 'remote' | 'provider';
/** A built-in framework (`react`, `preact`, `html`, …) or one the workspace registers in the plugin options. */
export type ModuleFramework = string;

export interface AppGeneratorSchema {
  directory: string;
  role: ModuleRole;
  framework: ModuleFramework;
  name?: string;
  host?: string;
  provides?: string[] | string;
  uses?: string[] | string;
  port?: number;
  skipInstall?: boolean;
}
