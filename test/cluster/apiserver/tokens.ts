/**
 * ServiceAccount tokens as TokenRequest issues them: opaque here, but bound to the ServiceAccount's
 * uid so a token stops authenticating once its ServiceAccount is deleted (or recreated), as a bound
 * token does on a real cluster.
 */
import { randomBytes } from 'node:crypto';
import type { Identity } from './rbac.ts';
import { findResource } from './resources.ts';
import type { Store } from './store.ts';

interface Issued { namespace: string; name: string; uid: string; expires: number }

const SA = findResource('', 'v1', 'serviceaccounts')!;

export class ServiceAccountTokens {
  private readonly issued = new Map<string, Issued>();
  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  /** undefined when the ServiceAccount does not exist. */
  issue(namespace: string, name: string, expirationSeconds = 3600): { token: string; expirationTimestamp: string } | undefined {
    const sa = this.store.table(SA).get(namespace, name);
    if (!sa) return undefined;
    const uid = String((sa.metadata as { uid?: string }).uid ?? '');
    const token = `sa.${randomBytes(24).toString('hex')}`;
    const expires = this.now() + expirationSeconds * 1000;
    this.issued.set(token, { namespace, name, uid, expires });
    return { token, expirationTimestamp: new Date(Math.floor(expires / 1000) * 1000).toISOString().replace('.000Z', 'Z') };
  }

  authenticate(token: string): Identity | undefined {
    const t = this.issued.get(token);
    if (!t) return undefined;
    const sa = this.store.table(SA).get(t.namespace, t.name);
    if (!sa || (sa.metadata as { uid?: string }).uid !== t.uid || this.now() > t.expires) return undefined;
    return {
      user: `system:serviceaccount:${t.namespace}:${t.name}`, uid: t.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${t.namespace}`, 'system:authenticated'],
    };
  }
}
