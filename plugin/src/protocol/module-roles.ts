/** The role names a module can carry; a module may carry several. */
export type ModuleRole = 'host' | 'remote' | 'provider';

/** What decides a module's roles. */
export interface RoleFacts {
  /** It has a framework entry (a page of its own). */
  hasEntry: boolean;
  exportCount: number;
  provideCount: number;
  /** Another module lists it in `esmx.uses`. */
  used: boolean;
}

/**
 * A host renders pages and no other module uses it (a root of the link graph); a remote is a module with exports that
 * another module uses (a remote with a dev page of its own is still a remote, not a host); a provider serves
 * third-party packages. The graph plugin's tags and the link-graph page's labels both come from here.
 */
export function inferRoles(facts: RoleFacts): ModuleRole[] {
  const roles: ModuleRole[] = [];
  if (facts.hasEntry && !facts.used) roles.push('host');
  if (facts.exportCount > 0 && facts.used) roles.push('remote');
  if (facts.provideCount > 0) roles.push('provider');
  return roles;
}
