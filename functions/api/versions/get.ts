/**
 * GET /api/versions — VCD version discovery: `SupportedVersions` XML by default, `{versionInfo}`
 * JSON when Accept names JSON; login URLs are absolute and honour X-Forwarded-Proto/Host.
 * No authentication.
 */
import { defineRoute } from '#lib/http/route.ts';
import { wantsJson } from '#lib/http/accept.ts';
import { baseUrl } from '#lib/views/common.ts';
import { versionsJson, versionsXml } from '#lib/views/versions.ts';

export default defineRoute({ summary: 'Supported API versions', auth: false }, function getVersions(c) {
  const base = baseUrl(c);
  if (wantsJson(c.req.header('accept'))) return c.json(versionsJson(base));
  return c.body(versionsXml(base), 200, { 'Content-Type': 'application/xml;charset=utf-8' });
});
