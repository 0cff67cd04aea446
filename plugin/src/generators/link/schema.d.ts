export interface LinkGeneratorSchema {
  from: string;
  to: string;
  import?: boolean;
  skipInstall?: boolean;
}
