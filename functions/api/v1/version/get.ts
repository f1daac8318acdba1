/**
 * GET /api/v1/version — `{version, apiVersions, commit?}`: the package version, the VCD API
 * versions spoken, and the build commit when SSVIRT_COMMIT is set. No authentication.
 */
import { defineRoute } from '#lib/http/route.ts';
import { versionInfo } from '#lib/version.ts';

export default defineRoute({ summary: 'Server version', auth: false }, function getVersion(c) {
  return c.json(versionInfo(c.var.config.commit));
});
