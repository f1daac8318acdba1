/**
 * The narrow surface the HTTP layer sees of the embedded Kubernetes integration. The
 * implementation lives beside this file; handlers only reach it through `c.var.k8s`.
 */
export interface ClusterHealth {
  kubernetes: 'ok' | 'not-configured' | `unreachable: ${string}`;
  informers: 'synced' | 'syncing';
}

export interface Cluster {
  health(): ClusterHealth;
}
