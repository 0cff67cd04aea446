export type ModuleRole = 'host' | 'remote' | 'provider';
export type ModuleFramework = 'react' | 'html';

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
