/**
 * VCD version discovery (`GET /api/versions`) in VCD's XML and in JSON.
 */
import { API_VERSIONS } from '#lib/http/accept.ts';

export const VERSIONS_XMLNS = 'http://www.vmware.com/vcloud/versions';

interface VersionEntry { version: string; loginUrl: string; providerLoginUrl: string; deprecated: false }

function entries(base: string): VersionEntry[] {
  const loginUrl = `${base}/cloudapi/1.0.0/sessions`;
  return API_VERSIONS.map((version) => ({ version, loginUrl, providerLoginUrl: `${loginUrl}/provider`, deprecated: false }));
}

/** `{versionInfo: [...]}` for JSON clients. */
export function versionsJson(base: string): { versionInfo: VersionEntry[] } {
  return { versionInfo: entries(base) };
}

/** The `SupportedVersions` document VCD clients read by default. */
export function versionsXml(base: string): string {
  const infos = entries(base).map((e) => [
    '  <VersionInfo deprecated="false">',
    `    <Version>${xmlEscape(e.version)}</Version>`,
    `    <LoginUrl>${xmlEscape(e.loginUrl)}</LoginUrl>`,
    `    <ProviderLoginUrl>${xmlEscape(e.providerLoginUrl)}</ProviderLoginUrl>`,
    '  </VersionInfo>',
  ].join('\n'));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<SupportedVersions xmlns="${VERSIONS_XMLNS}">\n${infos.join('\n')}\n</SupportedVersions>\n`;
}

/** Escapes text and attribute content; the base URL comes from request headers. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}
