/**
 * `npm run cluster`: a local stand-in for OpenShift + KubeVirt. Starts the Kubernetes API simulator,
 * loads the sample VM templates into `openshift`, runs the simulated controllers and prints
 * `kubeconfig: <path>` (use it with the server or kubectl) until SIGINT/SIGTERM.
 *
 * `npm run cluster -- --attach <kubeconfig>` runs against an existing API server instead: installs the
 * Template/TemplateInstance/VirtualMachine/VirtualMachineInstance CRDs it lacks, loads the templates
 * and runs only the controllers (a bare kube-apiserver then behaves like OpenShift Virtualization).
 *
 * Flags: --port <n> (default 0: any free port), --no-tls (default is HTTPS with a self-signed
 * certificate in the kubeconfig, because kubectl sends no bearer token to a plain http:// server;
 * --tls is accepted for clarity), --token <t>, --no-subresources,
 * --step-delay-ms <n>, --dir <path>, --template-namespace <ns> (default openshift), --no-templates,
 * --quiet (no controller log), --attach <kubeconfig>, --help.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { startControllers } from './controllers/index.ts';
import { installCrds } from './crds/index.ts';
import { loadSampleTemplates } from './templates/index.ts';

const USAGE = `usage: npm run cluster -- [--port N] [--tls|--no-tls] [--token T] [--no-subresources] [--step-delay-ms N]
                             [--dir PATH] [--template-namespace NS] [--no-templates] [--quiet]
       npm run cluster -- --attach KUBECONFIG [--step-delay-ms N] [--template-namespace NS] [--no-templates]`;

function fail(msg: string): never {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        tls: { type: 'boolean', default: false },
        'no-tls': { type: 'boolean', default: false },
        token: { type: 'string' },
        'no-subresources': { type: 'boolean', default: false },
        'step-delay-ms': { type: 'string' },
        dir: { type: 'string' },
        'template-namespace': { type: 'string', default: 'openshift' },
        'no-templates': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        attach: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return n;
  };
  if (args.tls && args['no-tls']) fail('--tls and --no-tls exclude each other');
  const port = num('port', args.port);
  const stepDelayMs = num('step-delay-ms', args['step-delay-ms']);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const log = args.quiet ? () => {} : (msg: string) => process.stderr.write(`[controllers] ${msg}\n`);

  let kc: KubeConfig;
  let kubeconfigPath: string;
  let stopSimulator: () => Promise<void> = async () => {};
  if (args.attach) {
    kubeconfigPath = resolve(args.attach);
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const installed = await installCrds(kc, { log: (m) => say(m) });
    say(`attached: ${kc.getCurrentCluster()?.server} (${installed.length ? `installed ${installed.join(', ')}` : 'CRDs already served'})`);
  } else {
    const { startSimulator } = await import('./index.ts');
    const sim = await startSimulator({
      port,
      tls: !args['no-tls'],
      token: args.token,
      subresources: !args['no-subresources'],
      dir: args.dir,
    });
    kc = sim.kubeConfig();
    kubeconfigPath = resolve(sim.kubeconfigPath);
    stopSimulator = () => sim.stop();
    say(`api: ${sim.url}`);
    const control = (sim as { controlUrl?: string }).controlUrl;
    if (control) say(`control: ${control}`);
  }

  const templates = args['no-templates'] ? 0 : await loadSampleTemplates(kc, args['template-namespace']);
  if (templates) say(`templates: ${templates} in namespace ${args['template-namespace']}`);
  const controllers = await startControllers(kc, { stepDelayMs, log });
  say(`kubeconfig: ${kubeconfigPath}`);
  say('ready (Ctrl-C to stop)');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await controllers.stop();
      await stopSimulator();
      process.exit(0);
    } catch (e) {
      process.stderr.write(`stop failed: ${(e as Error).message}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`cluster: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
