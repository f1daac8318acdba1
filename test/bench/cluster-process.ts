/**
 * The simulated cluster for test/bench/cluster.ts, in its own process so it does not share the
 * server's event loop: the Kubernetes API simulator (HTTPS, as a real cluster) with the
 * TemplateInstance and KubeVirt controllers. Reports `{ kubeconfigPath }` once up, then obeys
 * messages: `kubevirt-stop` / `kubevirt-start` (the latency phase writes VM status itself and must
 * not have the KubeVirt controller write it back), `idle` (answers once no reconcile is queued or
 * running), `stop`. Exits when the benchmark goes away.
 */
import { startSimulator } from '../cluster/index.ts';
import { startKubevirtController } from '../cluster/controllers/kubevirt.ts';
import { startTemplateInstanceController } from '../cluster/controllers/template-instance.ts';

type Controller = { stop(): Promise<void>; idle(): Promise<void> };

const sim = await startSimulator({ tls: true });
const kc = sim.kubeConfig();
const stepDelayMs = Number(process.env.BENCH_STEP_DELAY_MS ?? 10);
const templates: Controller = await startTemplateInstanceController(kc);
let kubevirt: Controller | undefined = await startKubevirtController(kc, { stepDelayMs });

process.send?.({ kubeconfigPath: sim.kubeconfigPath });
process.on('disconnect', () => process.exit(0));
process.on('message', (m: { cmd: string }) => {
  void (async () => {
    switch (m.cmd) {
      case 'kubevirt-stop':
        await kubevirt?.stop();
        kubevirt = undefined;
        break;
      case 'kubevirt-start':
        kubevirt ??= await startKubevirtController(kc, { stepDelayMs });
        break;
      case 'idle':
        await Promise.all([templates.idle(), kubevirt?.idle()]);
        break;
      case 'stop':
        await Promise.all([templates.stop(), kubevirt?.stop()]);
        await sim.stop();
        process.exit(0);
    }
    process.send?.({ done: m.cmd });
  })();
});
