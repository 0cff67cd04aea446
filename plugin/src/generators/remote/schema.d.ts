import type { AppGeneratorSchema } from '../app/schema';

/** Options of `@esmx/nx:remote`: those of `@esmx/nx:app` without `role` and `remotes`. */
export type RemoteGeneratorSchema = Omit<AppGeneratorSchema, 'role' | 'provides' | 'remotes'>;
