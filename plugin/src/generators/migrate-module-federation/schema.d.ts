export interface MigrateModuleFederationGeneratorSchema {
  project?: string;
  backup?: boolean;
  skipInstall?: boolean;
}
