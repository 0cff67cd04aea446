import { DIST_DIR, TAG } from '../../constants';
import type { KeptDist } from '../../link/index';

/** The closing line of a failed link: what state dist/ was left in, so the user knows what a server would serve. */
export function describeKeptDist(module: string, kept: KeptDist | undefined, why = '(see above)'): string {
  const head = `${TAG.link} ${module}: not linked ${why}`;
  if (kept === 'restored') {
    return (
      `${head}; kept the previous build of ${module}: ${DIST_DIR}/ is back to its last linked build, byte for byte, ` +
      `and a running server keeps serving it. Fix the errors above and build again.`
    );
  }
  if (kept === 'unlinked') {
    return (
      `${head}; ${DIST_DIR}/ holds a bundle that was never linked and there is no earlier linked build of ${module} to go ` +
      `back to, so no server can start on it. Fix the errors above and build again.`
    );
  }
  return `${head}; kept the previous build of ${module}: ${DIST_DIR}/ was left as it was. Fix the errors above and link again.`;
}
