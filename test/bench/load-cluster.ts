/**
 * The simulated cluster for test/bench/load.ts, in its own process so it does not share the
 * server's event loop: the Kubernetes API simulator (HTTPS) with all the simulated controllers
 * (TemplateInstance, KubeVirt and CDI: the sample templates' VMs have DataVolumes, which stay
 * Pending without CDI). Same protocol as test/bench/cluster-process.ts: reports
 * `{ kubeconfigPath }` once up, answers `idle` once no reconcile is queued or running, obeys
 * `stop`, and exits when the benchmark goes away.
 */
import { startSimulator } from '../cluster/index.ts';
import { startControllers } from '../cluster/controllers/index.ts';

const sim = await startSimulator({ tls: true });
const controllers = await startControllers(sim.kubeConfig(), { stepDelayMs: Number(process.env.BENCH_STEP_DELAY_MS ?? 10) });

process.send?.({ kubeconfigPath: sim.kubeconfigPath });
process.on('disconnect', () => process.exit(0));
process.on('message', (m: { cmd: string }) => {
  void (async () => {
    switch (m.cmd) {
      case 'idle':
        await controllers.idle();
        break;
      case 'stop':
        await controllers.stop();
        await sim.stop();
        process.exit(0);
    }
    process.send?.({ done: m.cmd });
  })();
});
