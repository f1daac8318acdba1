/**
 * Starts the simulated cluster behaviours (OpenShift's TemplateInstance controller and KubeVirt's VM
 * controller) against any API server reachable through a client-node KubeConfig: the simulator, or a
 * bare kube-apiserver with only the CRDs installed.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Authorizer } from './authorize.ts';
import { startKubevirtController } from './kubevirt.ts';
import { startTemplateInstanceController } from './template-instance.ts';

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
}

export interface RunningControllers {
  stop(): Promise<void>;
  /** Resolves when no reconcile is queued or running (pending step timers excluded). */
  idle(): Promise<void>;
}

/** Starts both controllers; resolves once their informers have listed (or after 5 s). */
export async function startControllers(kc: KubeConfig, opts: ControllerOptions = {}): Promise<RunningControllers> {
  const log = opts.log ?? (() => {});
  const [templates, kubevirt] = await Promise.all([
    startTemplateInstanceController(kc, { log, finalizer: opts.templateInstanceFinalizer, requireRequester: opts.requireRequester, authorize: opts.authorizeRequester }),
    startKubevirtController(kc, { log, stepDelayMs: opts.stepDelayMs }),
  ]);
  return {
    async idle() {
      await Promise.all([templates.idle(), kubevirt.idle()]);
    },
    async stop() {
      await Promise.all([templates.stop(), kubevirt.stop()]);
    },
  };
}
