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
 * --quiet (no controller log), --require-requester (fail TemplateInstances without
 * spec.requester.username, as OpenShift does), --attach <kubeconfig>, --help.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { startControllers } from './controllers/index.ts';
import { installCrds } from './crds/index.ts';
import { loadSampleTemplates } from './templates/index.ts';

const USAGE = `usage: npm run cluster -- [--port N] [--tls|--no-tls] [--token T] [--no-subresources] [--step-delay-ms N]
                             [--dir PATH] [--template-namespace NS] [--no-templates] [--quiet] [--require-requester]
       npm run cluster -- --attach KUBECONFIG [--step-delay-ms N] [--template-namespace NS] [--no-templates]`;

/** A command-line mistake: printed with the usage, exit code 2. */
class UsageError extends Error {}

export interface RunningCluster {
  kubeconfigPath: string;
  stop(): Promise<void>;
}

/**
 * Runs the CLI's work for `argv` (without node and script), printing through `say`; resolves once
 * everything is up. `main()` below adds the signal handling; tests call this in-process.
 */
export async function runCluster(
  argv: string[],
  say: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<RunningCluster | undefined> {
  let args;
  try {
    args = parseArgs({
      args: argv,
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
        'require-requester': { type: 'boolean', default: false },
        attach: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (args.help) {
    say(USAGE);
    return undefined;
  }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return n;
  };
  if (args.tls && args['no-tls']) throw new UsageError('--tls and --no-tls exclude each other');
  const port = num('port', args.port);
  const stepDelayMs = num('step-delay-ms', args['step-delay-ms']);
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
    // Loaded only here, so --attach runs without the simulator's code.
    const { startSimulator } = await import('./index.ts');
    const sim = await startSimulator({
      port,
      tls: !args['no-tls'],
      token: args.token,
      subresources: !args['no-subresources'],
      dir: args.dir,
      // The simulator stands in for OpenShift: TemplateInstances get their requester from the caller.
      templateInstanceAdmission: true,
    });
    kc = sim.kubeConfig();
    kubeconfigPath = resolve(sim.kubeconfigPath);
    stopSimulator = () => sim.stop();
    say(`api: ${sim.url}`);
    say(`control: ${sim.controlUrl}`);
  }

  try {
    const templates = args['no-templates'] ? 0 : await loadSampleTemplates(kc, args['template-namespace']);
    if (templates) say(`templates: ${templates} in namespace ${args['template-namespace']}`);
    // On the simulator every instance has a requester (admission fills it), so the controller
    // requires one as OpenShift's does; a bare API server attached to may not fill it.
    const controllers = await startControllers(kc, { stepDelayMs, log, requireRequester: args['require-requester'] || !args.attach });
    say(`kubeconfig: ${kubeconfigPath}`);
    return {
      kubeconfigPath,
      async stop() {
        await controllers.stop();
        await stopSimulator();
      },
    };
  } catch (e) {
    await stopSimulator();
    throw e;
  }
}

async function main(): Promise<void> {
  const running = await runCluster(process.argv.slice(2));
  if (!running) return;
  process.stdout.write('ready (Ctrl-C to stop)\n');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await running.stop();
      process.exit(0);
    } catch (e) {
      process.stderr.write(`stop failed: ${(e as Error).message}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

// Run only as the entry point (npm run cluster), not when a test imports runCluster.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`cluster: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  });
}
