/**
 * The server's own version (from package.json, read once) and the VCD API versions it speaks.
 */
import { readFileSync } from 'node:fs';
import { API_VERSIONS } from '#lib/http/accept.ts';

/** package.json `version`. */
export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** `{version, apiVersions, commit?}` as GET /api/v1/version answers it. */
export function versionInfo(commit: string | undefined): { version: string; apiVersions: string[]; commit?: string } {
  return { version: VERSION, apiVersions: [...API_VERSIONS], ...(commit ? { commit } : {}) };
}
