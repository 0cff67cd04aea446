import type { AppGeneratorSchema } from '../app/schema';

/** Options of `@esmx/nx:host`: those of `@esmx/nx:app` without `role` and `host`. */
export type HostGeneratorSchema = Omit<AppGeneratorSchema, 'role' | 'provides' | 'host'>;
