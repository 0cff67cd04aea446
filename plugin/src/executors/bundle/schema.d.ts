/** Options of the `@esmx/nx:bundle` executor (mirrors schema.json). */
export interface BundleExecutorSchema {
  mode?: 'production' | 'development';
  config?: string;
  links?: Record<string, string>;
  link?: boolean;
  watch?: boolean;
}
