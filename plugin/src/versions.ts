/**
 * Versions the generators write into a user's workspace. One place, so an upgrade is one edit
 * and every generated app agrees with what `init` installs.
 */

export const reactVersion = '19.3.1';
export const reactDomVersion = '19.3.1';
export const typesReactVersion = '^19.3.0';
export const typesReactDomVersion = '^19.3.0';
export const typesNodeVersion = '^20.19.0';
export const rspackCoreVersion = '~2.3.3';
export const esModuleShimsVersion = '2.8.4';
export const typescriptVersion = '~5.9.3';
/** What the inferred `test` target runs the generated specs with: Jest, its globals' types, swc through @swc/jest. */
export const jestVersion = '30.5.2';
export const jestGlobalsVersion = '30.5.2';
export const swcJestVersion = '0.2.39';
export const swcCoreVersion = '1.16.22';
