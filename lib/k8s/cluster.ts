/**
 * The narrow surface the HTTP layer sees of the embedded Kubernetes integration. The
 * implementation lives beside this file; handlers only reach it through `c.var.k8s`.
 */
import type { TemplateSource } from '#lib/catalog/template.ts';

export interface ClusterHealth {
  kubernetes: 'ok' | 'not-configured' | `unreachable: ${string}`;
  informers: 'synced' | 'syncing';
}

export interface Cluster {
  health(): ClusterHealth;
  /**
   * The template cache behind catalog items; undefined (or absent) while it is not available,
   * which the catalog treats as "no templates".
   */
  templates?(): TemplateSource | undefined;
}
