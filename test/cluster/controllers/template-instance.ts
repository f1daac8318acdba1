/**
 * OpenShift's TemplateInstance controller, re-created for the simulator (and for a bare kube-apiserver
 * with only the CRDs): processes each new TemplateInstance in any namespace into its objects.
 *
 * Faithful to openshift-controller-manager where it matters to SSVirt:
 * - parameters come from the Secret named by `spec.secret.name` (a key there overrides the template's
 *   value and disables its generator); missing required values fail the instance;
 * - every object is created in the instance's namespace labelled
 *   `template.openshift.io/template-instance-owner: <instance uid>`, with NO ownerReference (OpenShift
 *   sets none; cleanup is the finalizer's job); an existing object carrying that label counts as ours;
 * - status goes through the status subresource: `objects[].ref` and the conditions
 *   `Ready`=True reason `Created`, or `InstantiateFailure`=True reason `Failed` with the error text;
 * - instances already Ready or failed are left alone (restart-safe);
 * - the finalizer `template.openshift.io/finalizer` is added; when the instance is deleted the objects
 *   in `status.objects` are deleted (propagation Foreground) and the finalizer removed.
 * - for an instance with `spec.requester.username`, the requester's permissions are reviewed by
 *   SubjectAccessReview in OpenShift's order before anything is created: `get` on the params Secret,
 *   `create` on `templateconfigs` (the template's name), then after processing `create` on each
 *   object's resource and name; a denial fails the instance with Kubernetes' Forbidden wording.
 *   Objects are still created with the controller's own credentials.
 * Not simulated: `wait-for-ready` readiness (the Ready=False reason Waiting state). OpenShift's
 * controller fails an instance without `spec.requester.username` ("spec.requester.username not set");
 * here that check is off by default (SSVirt's instances carry no requester yet) and enabled with
 * `requireRequester`; instances without a requester are not reviewed.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { processTemplate, TemplateProcessError, type TemplateLike } from './process.ts';
import { ForbiddenError, groupOfApiVersion, makeAuthorizer, resourceOfKind, type Authorizer, type Requester } from './authorize.ts';
import { errorCode, errorMessage, keyOf, splitKey, startInformer, WorkQueue, type Log } from './runtime.ts';

export const TEMPLATE_INSTANCE_OWNER = 'template.openshift.io/template-instance-owner';
export const TEMPLATE_INSTANCE_FINALIZER = 'template.openshift.io/finalizer';
const GROUP = 'template.openshift.io';
const VERSION = 'v1';
const PLURAL = 'templateinstances';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

interface ObjectRef {
  ref: { kind: string; namespace: string; name: string; uid: string; apiVersion: string };
}

export interface TemplateInstance extends KubernetesObject {
  spec?: { template?: TemplateLike; secret?: { name?: string }; requester?: unknown };
  status?: { conditions?: Condition[]; objects?: ObjectRef[] };
}

export interface TemplateInstanceControllerOptions {
  log?: Log;
  /** Add OpenShift's cleanup finalizer to processed instances (default true). */
  finalizer?: boolean;
  /** Fail instances without `spec.requester.username`, as OpenShift does (default false). */
  requireRequester?: boolean;
  /**
   * Review the requester's permissions by SubjectAccessReview before creating anything, as OpenShift
   * does (default true; only instances with a requester are reviewed). Injectable for unit tests.
   */
  authorize?: Authorizer | false;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Attempts per instance before a transient API error becomes its InstantiateFailure. */
const TRANSIENT_ATTEMPTS = 5;

/**
 * Errors client-go would retry by itself (429/5xx with Retry-After, broken connections), so that
 * OpenShift's controller would not fail an instance for them: 429, 5xx and network errors.
 */
function isTransient(e: unknown): boolean {
  const code = errorCode(e);
  if (code !== undefined) return code === 429 || code >= 500;
  const err = e as { type?: unknown; code?: unknown; name?: unknown };
  return err?.type === 'system' || err?.name === 'FetchError' || (typeof err?.code === 'string' && err.code.startsWith('E'));
}

/** Thrown to have the work queue retry the instance later. */
class RetryLater extends Error {}

function hasCondition(ti: TemplateInstance, type: string): boolean {
  return (ti.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Resource name for an error message, as client-go prints a GroupVersionResource. */
function resourceLabel(obj: KubernetesObject): string {
  const apiVersion = obj.apiVersion ?? 'v1';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const kind = (obj.kind ?? '').toLowerCase();
  // Kubernetes' default plural rule, enough for the kinds templates carry.
  const plural = kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : kind.endsWith('s') ? `${kind}es` : `${kind}s`;
  return `${group}/${version}, Resource=${plural}`;
}

export async function startTemplateInstanceController(
  kc: KubeConfig,
  opts: TemplateInstanceControllerOptions = {},
): Promise<{ stop(): Promise<void>; idle(): Promise<void> }> {
  const log = opts.log ?? (() => {});
  const useFinalizer = opts.finalizer ?? true;
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const authorizer = opts.authorize === false ? undefined : (opts.authorize ?? makeAuthorizer(kc));

  /** One review; transient API errors retry the instance, anything else fails it as Forbidden does. */
  async function review(ti: TemplateInstance, requester: Requester, attrs: Parameters<Authorizer>[1]): Promise<void> {
    if (!authorizer) return;
    try {
      await authorizer(requester, attrs);
    } catch (e) {
      if (e instanceof ForbiddenError) throw new TemplateProcessError(e.message);
      retryIfTransient(ti, e);
      // The real controller wraps a failed review call in the same Forbidden error.
      const gr = attrs.group ? `${attrs.resource}.${attrs.group}` : attrs.resource;
      throw new TemplateProcessError(`${gr} "${attrs.name}" is forbidden: ${errorMessage(e)}`);
    }
  }

  const queue = new WorkQueue((key) => sync(key), log);
  // Instances this process finished, by uid: the informer cache can lag behind our own status write,
  // and re-processing an instance whose status event has not arrived yet would be wasted work.
  const done = new Set<string>();
  const informer = startInformer<TemplateInstance>(
    kc,
    `/apis/${GROUP}/${VERSION}/${PLURAL}`,
    () => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }) as never,
    (type, ti) => {
      if (type !== 'delete') queue.add(keyOf(ti));
    },
    (m) => log(`[template-instance] ${m}`),
  );

  // Transient failures per instance uid (bounded retries, then the failure is reported).
  const attempts = new Map<string, number>();
  function retryIfTransient(ti: TemplateInstance, e: unknown): void {
    if (!isTransient(e)) return;
    const uid = ti.metadata!.uid!;
    const n = (attempts.get(uid) ?? 0) + 1;
    attempts.set(uid, n);
    if (n < TRANSIENT_ATTEMPTS) throw new RetryLater(errorMessage(e));
  }

  async function readSecretValues(ti: TemplateInstance): Promise<Record<string, string>> {
    const name = ti.spec?.secret?.name;
    if (!name) return {};
    let secret;
    try {
      secret = await core.readNamespacedSecret({ name, namespace: ti.metadata!.namespace! });
    } catch (e) {
      retryIfTransient(ti, e);
      throw new TemplateProcessError(`unable to retrieve TemplateInstance Secret: ${errorMessage(e)}`);
    }
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) values[k] = Buffer.from(v, 'base64').toString('utf8');
    // A real API server folds stringData into data; read it too in case a server does not.
    for (const [k, v] of Object.entries(secret.stringData ?? {})) values[k] = v;
    return values;
  }

  /** Creates the processed objects; returns their refs and the per-object errors. */
  async function createObjects(ti: TemplateInstance): Promise<{ refs: ObjectRef[]; errors: string[] }> {
    const namespace = ti.metadata!.namespace!;
    const uid = ti.metadata!.uid!;
    const requester = ti.spec?.requester as Requester | undefined;
    if (opts.requireRequester && !requester?.username) throw new TemplateProcessError('spec.requester.username not set');
    // OpenShift's order: Secret get, then templateconfigs create, process, then create per object.
    const reviewed = requester?.username ? requester : undefined;
    const secretName = ti.spec?.secret?.name;
    if (reviewed && secretName) {
      await review(ti, reviewed, { namespace, verb: 'get', group: '', resource: 'secrets', name: secretName });
    }
    const template = structuredClone(ti.spec?.template ?? {});
    const supplied = await readSecretValues(ti);
    if (reviewed) {
      const tname = (template as { metadata?: { name?: string } }).metadata?.name ?? '';
      await review(ti, reviewed, { namespace, verb: 'create', group: GROUP, resource: 'templateconfigs', name: tname });
    }
    const { objects: processed } = processTemplate(template, supplied);
    if (reviewed) {
      for (const obj of processed) {
        await review(ti, reviewed, {
          namespace: obj.metadata.namespace || namespace,
          verb: 'create',
          group: groupOfApiVersion(obj.apiVersion),
          resource: resourceOfKind(obj.kind),
          name: obj.metadata.name ?? '',
        });
      }
    }
    const refs: ObjectRef[] = [];
    const errors: string[] = [];
    for (const obj of processed) {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [TEMPLATE_INSTANCE_OWNER]: uid };
      obj.metadata.namespace ||= namespace;
      let created: KubernetesObject | undefined;
      try {
        created = await objects.create(obj);
      } catch (e) {
        if (errorCode(e) === 409) {
          try {
            const existing = await objects.read({
              apiVersion: obj.apiVersion,
              kind: obj.kind,
              metadata: { name: obj.metadata.name!, namespace: obj.metadata.namespace },
            });
            if (existing.metadata?.labels?.[TEMPLATE_INSTANCE_OWNER] === uid) created = existing;
          } catch (getErr) {
            retryIfTransient(ti, getErr);
            errors.push(
              `unable to retrive existing ${resourceLabel(obj)}, Name=${obj.metadata.name}: ${errorMessage(getErr)}`,
            );
            continue;
          }
        }
        if (!created) {
          retryIfTransient(ti, e);
          errors.push(`unable to create ${resourceLabel(obj)}, Name=${obj.metadata.name}: ${errorMessage(e)}`);
          continue;
        }
      }
      refs.push({
        ref: {
          kind: obj.kind,
          namespace: created.metadata?.namespace ?? obj.metadata.namespace,
          name: created.metadata?.name ?? obj.metadata.name ?? '',
          uid: created.metadata?.uid ?? '',
          apiVersion: obj.apiVersion,
        },
      });
    }
    return { refs, errors };
  }

  async function patchStatus(ti: TemplateInstance, status: TemplateInstance['status']): Promise<void> {
    const { namespace, name } = { namespace: ti.metadata!.namespace!, name: ti.metadata!.name! };
    await custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body: { status } },
      mergePatch,
    );
  }

  async function addFinalizer(ti: TemplateInstance): Promise<void> {
    const finalizers = ti.metadata?.finalizers ?? [];
    if (finalizers.includes(TEMPLATE_INSTANCE_FINALIZER)) return;
    await custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        namespace: ti.metadata!.namespace!,
        name: ti.metadata!.name!,
        body: { metadata: { finalizers: [...finalizers, TEMPLATE_INSTANCE_FINALIZER] } },
      },
      mergePatch,
    );
  }

  async function finalize(ti: TemplateInstance): Promise<void> {
    const finalizers = ti.metadata?.finalizers ?? [];
    if (!finalizers.includes(TEMPLATE_INSTANCE_FINALIZER)) return;
    for (const { ref } of ti.status?.objects ?? []) {
      try {
        await objects.delete(
          { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } },
          undefined,
          undefined,
          undefined,
          undefined,
          'Foreground',
        );
      } catch (e) {
        if (errorCode(e) !== 404) throw e;
      }
    }
    try {
      await custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace: ti.metadata!.namespace!,
          name: ti.metadata!.name!,
          body: {
            metadata: {
              finalizers: finalizers.filter((f) => f !== TEMPLATE_INSTANCE_FINALIZER),
              resourceVersion: ti.metadata!.resourceVersion,
            },
          },
        },
        mergePatch,
      );
    } catch (e) {
      // 409: a newer version exists; its event brings us back. 404: already gone.
      if (errorCode(e) !== 404 && errorCode(e) !== 409) throw e;
    }
  }

  async function sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ti = informer.get(name, namespace);
    if (!ti) return;
    if (ti.metadata?.deletionTimestamp) return finalize(ti);
    if (hasCondition(ti, 'Ready') || hasCondition(ti, 'InstantiateFailure')) return;
    if (done.has(ti.metadata!.uid!)) return;

    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    let failure: string | undefined;
    let refs: ObjectRef[] = ti.status?.objects ?? [];
    if (refs.length !== (ti.spec?.template?.objects ?? []).length) {
      try {
        const result = await createObjects(ti);
        refs = result.refs;
        if (result.errors.length) failure = result.errors.join('\n');
      } catch (e) {
        if (!(e instanceof TemplateProcessError)) throw e; // API trouble: retried by the queue
        failure = /^(unable to|spec\.)|is forbidden: /.test(e.message) ? e.message : `unable to process Template objects: ${e.message}`;
      }
      if (useFinalizer) await addFinalizer(ti);
    }
    const conditions: Condition[] = failure
      ? [{ type: 'InstantiateFailure', status: 'True', reason: 'Failed', message: failure, lastTransitionTime: now }]
      : [{ type: 'Ready', status: 'True', reason: 'Created', lastTransitionTime: now }];
    const kept = (ti.status?.conditions ?? []).filter((c) => !conditions.some((n) => n.type === c.type));
    await patchStatus(ti, { conditions: [...kept, ...conditions], objects: refs });
    done.add(ti.metadata!.uid!);
    attempts.delete(ti.metadata!.uid!);
    log(`[template-instance] ${key}: ${failure ? `InstantiateFailure: ${failure}` : `Ready (${refs.length} objects)`}`);
  }

  await Promise.race([informer.synced, new Promise((r) => setTimeout(r, 5000))]);
  return {
    idle: () => queue.idle(),
    async stop() {
      await informer.stop();
      await queue.stop();
    },
  };
}
