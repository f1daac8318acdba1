/**
 * Starts the simulated cluster behaviours (OpenShift's TemplateInstance controller, KubeVirt's VM
 * controller and CDI's DataVolume controller) against any API server reachable through a client-node KubeConfig: the simulator, or a
 * bare kube-apiserver with only the CRDs installed.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Authorizer } from './authorize.ts';
import { startCdiController } from './cdi.ts';
import { startKubevirtController } from './kubevirt.ts';
import type { RestMapper } from './rest-mapper.ts';
import { startTemplateInstanceController, type ReadinessOptions } from './template-instance.ts';

export { FAIL_ANNOTATION, FAIL_MESSAGE_ANNOTATION } from './kubevirt.ts';
export { TEMPLATE_INSTANCE_OWNER, TEMPLATE_INSTANCE_FINALIZER } from './template-instance.ts';

export interface ControllerOptions {
  /** Delay between two phase steps of one VM (default 30 ms). */
  stepDelayMs?: number;
  log?: (msg: string) => void;
  /** Add OpenShift's `template.openshift.io/finalizer` to processed TemplateInstances (default true). */
  templateInstanceFinalizer?: boolean;
  /** Fail TemplateInstances without `spec.requester.username`, as OpenShift does (default false). */
  requireRequester?: boolean;
  /** Requester SubjectAccessReviews (default: asked of the API server); false turns them off. */
  authorizeRequester?: Authorizer | false;
  /** TemplateInstance kind → resource mapping (default: the API server's discovery). */
  restMapper?: RestMapper;
  /** TemplateInstance `wait-for-ready` timing and checks (default OpenShift's). */
  templateReadiness?: ReadinessOptions;
}

export interface RunningControllers {
  stop(): Promise<void>;
  /** Resolves when no reconcile is queued or running (pending step timers excluded). */
  idle(): Promise<void>;
}

/** Starts the controllers; resolves once their informers have listed (or after 5 s). */
export async function startControllers(kc: KubeConfig, opts: ControllerOptions = {}): Promise<RunningControllers> {
  const log = opts.log ?? (() => {});
  const [templates, kubevirt, cdi] = await Promise.all([
    startTemplateInstanceController(kc, {
      log,
      finalizer: opts.templateInstanceFinalizer,
      requireRequester: opts.requireRequester,
      authorize: opts.authorizeRequester,
      restMapper: opts.restMapper,
      readiness: opts.templateReadiness,
    }),
    startKubevirtController(kc, { log, stepDelayMs: opts.stepDelayMs }),
    startCdiController(kc, { log, stepDelayMs: opts.stepDelayMs }),
  ]);
  return {
    async idle() {
      await Promise.all([templates.idle(), kubevirt.idle(), cdi.idle()]);
    },
    async stop() {
      await Promise.all([templates.stop(), kubevirt.stop(), cdi.stop()]);
    },
  };
}
