/**
 * The server's own version (from package.json, read once) and the VCD API versions it speaks.
 */
// An import, not a file read at run time: the production bundle inlines it, wherever dist/ lives.
import pkg from '../package.json' with { type: 'json' };
import { API_VERSIONS } from '#lib/http/accept.ts';

/** package.json `version`. */
export const VERSION: string = pkg.version;

/** `{version, apiVersions, commit?}` as GET /api/v1/version answers it. */
export function versionInfo(commit: string | undefined): { version: string; apiVersions: string[]; commit?: string } {
  return { version: VERSION, apiVersions: [...API_VERSIONS], ...(commit ? { commit } : {}) };
}
