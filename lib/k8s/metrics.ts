/**
 * Prometheus metrics of the Kubernetes side. Labels are verbs, resources, outcomes and states —
 * never object names, so cardinality stays fixed.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class K8sMetrics {
  readonly calls: Counter<'verb' | 'resource' | 'outcome'>;
  readonly callSeconds: Histogram<'verb' | 'resource'>;
  readonly informerSynced: Gauge<'informer'>;
  readonly informerRestarts: Counter<'informer'>;
  readonly reconcileRuns: Counter<'outcome'>;
  readonly reconcileRepairs: Counter<'kind'>;
  readonly unclaimedNamespaces: Gauge;
  readonly vapps: Gauge<'status'>;
  readonly vms: Gauge<'status'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.calls = new Counter({ name: 'ssvirt_kubernetes_calls_total', help: 'Kubernetes API calls by verb, resource and outcome', labelNames: ['verb', 'resource', 'outcome'], registers });
    this.callSeconds = new Histogram({ name: 'ssvirt_kubernetes_call_seconds', help: 'Kubernetes API call latency', labelNames: ['verb', 'resource'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
    this.informerSynced = new Gauge({ name: 'ssvirt_informer_synced', help: '1 when the informer has listed and is watching', labelNames: ['informer'], registers });
    this.informerRestarts = new Counter({ name: 'ssvirt_informer_restarts_total', help: 'Informer restarts after errors', labelNames: ['informer'], registers });
    this.reconcileRuns = new Counter({ name: 'ssvirt_reconcile_runs_total', help: 'Reconciler passes', labelNames: ['outcome'], registers });
    this.reconcileRepairs = new Counter({ name: 'ssvirt_reconcile_repairs_total', help: 'Repairs made by the reconciler', labelNames: ['kind'], registers });
    this.unclaimedNamespaces = new Gauge({ name: 'ssvirt_unclaimed_namespaces', help: 'Namespaces labelled as ours that no VDC row claims', registers });
    this.vapps = new Gauge({ name: 'ssvirt_vapps', help: 'vApps by status', labelNames: ['status'], registers });
    this.vms = new Gauge({ name: 'ssvirt_vms', help: 'VMs by status', labelNames: ['status'], registers });
  }

  /** Starts timing a call; the returned function records its outcome. */
  startCall(verb: string, resource: string): (outcome: string) => void {
    const stop = this.callSeconds.startTimer({ verb, resource });
    return (outcome) => {
      stop();
      this.calls.inc({ verb, resource, outcome });
    };
  }
}
