/**
 * POST /cloudapi/1.0.0/sessions — log in with HTTP Basic `user@org:password`.
 * 200 Session with `Authorization`, `X-VMWARE-VCLOUD-ACCESS-TOKEN` and `X-VMWARE-VCLOUD-TOKEN-TYPE`.
 * 401 UNAUTHORIZED: missing or wrong credentials (slowed), or a disabled user/org (said only when the
 * password was right).
 */
import { defineRoute } from '#lib/http/route.ts';
import { login } from '#lib/auth/login.ts';

export default defineRoute({ summary: 'Log in (tenant or provider)', auth: false }, function createSession(c) {
  return login(c, { providerOnly: false });
});
