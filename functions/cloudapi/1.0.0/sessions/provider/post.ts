/**
 * POST /cloudapi/1.0.0/sessions/provider — log in as a System Administrator.
 * 200 Session with the token headers; 401 UNAUTHORIZED for bad credentials or a caller who is not a
 * System Administrator (the message does not say which).
 */
import { defineRoute } from '#lib/http/route.ts';
import { login } from '#lib/auth/login.ts';

export default defineRoute({ summary: 'Log in as a provider (System Administrator)', auth: false }, function createProviderSession(c) {
  return login(c, { providerOnly: true });
});
