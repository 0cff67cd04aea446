export interface BuildExecutorSchema {
  mode?: 'production' | 'development';
  config?: string;
  links?: Record<string, string>;
  link?: boolean;
  watch?: boolean;
}
