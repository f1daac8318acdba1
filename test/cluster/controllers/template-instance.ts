/**
 * OpenShift's TemplateInstance controller, re-created for the simulator (and for a bare kube-apiserver
 * with only the CRDs): processes each new TemplateInstance in any namespace into its objects.
 *
 * Faithful to openshift-controller-manager where it matters to SSVirt:
 * - parameters come from the Secret named by `spec.secret.name` (a key there, even with an empty
 *   value, overrides the template's value and disables its generator); missing required values fail
 *   the instance;
 * - each object's kind is mapped to its resource by discovery (rest-mapper.ts, as client-go's
 *   RESTMapper), for the reviews and for the create path; a kind the server does not serve fails the
 *   instance (`unable to identify the resource mapping for <g>/<v>, Kind=<K>: no matches for kind …`);
 * - every object is created in the instance's namespace (none for a cluster-scoped kind) labelled
 *   `template.openshift.io/template-instance-owner: <instance uid>`, with NO ownerReference (OpenShift
 *   sets none; cleanup is the finalizer's job); an existing object carrying that label counts as ours;
 * - status goes through the status subresource: `objects[].ref` and the conditions
 *   `Ready`=True reason `Created`, or `InstantiateFailure`=True reason `Failed` with the error text;
 * - readiness (readiness.ts): while an object annotated `template.alpha.openshift.io/wait-for-ready:
 *   "true"` of a kind OpenShift can check is not ready, the instance stays `Ready`=False reason
 *   `Waiting` ("Waiting for instantiated objects to report ready") and is checked again after a delay
 *   (OpenShift: 5 s, 20 s after 200 tries); an object that failed ("readiness failed on <Kind>
 *   <ns>/<name>"), is gone or was replaced (another uid: NotFound), a failed check, or the timeout
 *   (one hour after the instance's creation: "timeout while waiting for template instance to be
 *   ready") sets `InstantiateFailure` plus `Ready`=False reason `Failed` ("See InstantiateFailure
 *   condition for error message"). Kinds without a check (VirtualMachine among them) are skipped even
 *   when annotated, as OpenShift's CanCheckReadiness does;
 * - instances already Ready or failed are left alone (restart-safe);
 * - the finalizer `template.openshift.io/finalizer` is added; when the instance is deleted the objects
 *   in `status.objects` are deleted (propagation Foreground) and the finalizer removed.
 * - for an instance with `spec.requester.username`, the requester's permissions are reviewed by
 *   SubjectAccessReview in OpenShift's order before anything is created: `get` on the params Secret,
 *   `create` on `templateconfigs` (the template's name), then after processing `create` on each
 *   object's resource and name (all objects reviewed, all denials reported), and `get` on each object
 *   whose readiness is checked; a denial fails the instance with Kubernetes' Forbidden wording after
 *   OpenShift's words for the step (`unable to authorize user to retrive TemplateInstance Secret: `,
 *   `unable to authorize user to create TemplateConfig : `, `unable to authorize user to create
 *   <g>/<v>, Resource=<r>, Name=<n>: `; none for the readiness `get`). Objects are still created with
 *   the controller's own credentials.
 * OpenShift's controller fails an instance without `spec.requester.username` ("spec.requester.username
 * not set"); here that check is off by default (SSVirt's instances carry no requester yet) and enabled
 * with `requireRequester`; instances without a requester are not reviewed.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { processTemplate, TemplateProcessError, type TemplateLike } from './process.ts';
import { ForbiddenError, forbiddenMessage, makeAuthorizer, type Authorizer, type Requester } from './authorize.ts';
import { makeDynamicClient, type DynamicClient } from './dynamic-client.ts';
import { discoveryLister, kindLabel, makeRestMapper, NoKindMatchError, resourceLabel, type RestMapper, type RestMapping } from './rest-mapper.ts';
import { buildConfigSelector, gvkKey, OPENSHIFT_READINESS_CHECKS, waitsForReady, type ReadinessCheck, type ReadinessContext } from './readiness.ts';
import { errorCode, errorMessage, keyOf, splitKey, startInformer, WorkQueue, type Log } from './runtime.ts';

export const TEMPLATE_INSTANCE_OWNER = 'template.openshift.io/template-instance-owner';
export const TEMPLATE_INSTANCE_FINALIZER = 'template.openshift.io/finalizer';
const GROUP = 'template.openshift.io';
const VERSION = 'v1';
const PLURAL = 'templateinstances';

/** The condition types and reasons OpenShift's controller writes. */
export const CONDITION_READY = 'Ready';
export const CONDITION_INSTANTIATE_FAILURE = 'InstantiateFailure';
export const REASON_CREATED = 'Created';
export const REASON_FAILED = 'Failed';
export const REASON_WAITING = 'Waiting';
export const WAITING_MESSAGE = 'Waiting for instantiated objects to report ready';
export const SEE_FAILURE_MESSAGE = 'See InstantiateFailure condition for error message';
export const READINESS_TIMEOUT_MESSAGE = 'timeout while waiting for template instance to be ready';
const TRUE = 'True';
const FALSE = 'False';

/** OpenShift's readinessTimeout, counted from the instance's creationTimestamp. */
const READINESS_TIMEOUT_MS = 60 * 60 * 1000;
/** OpenShift's readiness limiter: 5 s between checks for 200 checks, 20 s after. */
const READINESS_FAST_MS = 5000;
const READINESS_SLOW_MS = 20_000;
const READINESS_FAST_TRIES = 200;

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

export interface ReadinessOptions {
  /** Fail instances still waiting this long after their creation (default one hour, as OpenShift). */
  timeoutMs?: number;
  /** Delay between checks of a waiting instance; ×4 after 200 checks (default 5 s, as OpenShift). */
  pollMs?: number;
  /**
   * The readiness checks by `gvkKey(apiVersion, kind)` (default OpenShift's). The simulator serves
   * none of OpenShift's kinds (Deployment, Job, Route, …), so tests add one for a kind it serves.
   */
  checks?: ReadonlyMap<string, ReadinessCheck>;
  /** The clock the timeout is measured with (default Date.now). */
  now?: () => number;
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
  /** Kind → resource mapping (default: discovery of the API server of `kc`). */
  restMapper?: RestMapper;
  readiness?: ReadinessOptions;
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
  return (ti.status?.conditions ?? []).some((c) => c.type === type && c.status === TRUE);
}

/**
 * OpenShift's templateInstanceSetCondition: a condition of the same type is replaced in place (its
 * transition time renewed) unless status, reason and message are unchanged; a new type is appended.
 */
export function setCondition(conditions: Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: string): Condition[] {
  const i = conditions.findIndex((c) => c.type === next.type);
  const stamped: Condition = { ...next, lastTransitionTime: now };
  if (i < 0) return [...conditions, stamped];
  const old = conditions[i]!;
  if (old.status === next.status && (old.reason ?? '') === (next.reason ?? '') && (old.message ?? '') === (next.message ?? '')) return conditions;
  return conditions.map((c, j) => (j === i ? stamped : c));
}

/** The NotFound text of the API server for group/resource and name. */
function notFoundMessage(m: RestMapping, name: string): string {
  return `${m.group ? `${m.resource}.${m.group}` : m.resource} ${JSON.stringify(name)} not found`;
}

export async function startTemplateInstanceController(
  kc: KubeConfig,
  opts: TemplateInstanceControllerOptions = {},
): Promise<{ stop(): Promise<void>; idle(): Promise<void> }> {
  const log = opts.log ?? (() => {});
  const useFinalizer = opts.finalizer ?? true;
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const dynamic: DynamicClient = makeDynamicClient(kc);
  const mapper = opts.restMapper ?? makeRestMapper(discoveryLister(kc));
  const authorizer = opts.authorize === false ? undefined : (opts.authorize ?? makeAuthorizer(kc));
  const readinessTimeout = opts.readiness?.timeoutMs ?? READINESS_TIMEOUT_MS;
  const readinessFast = opts.readiness?.pollMs ?? READINESS_FAST_MS;
  const readinessSlow = opts.readiness?.pollMs !== undefined ? opts.readiness.pollMs * 4 : READINESS_SLOW_MS;
  const checks = opts.readiness?.checks ?? OPENSHIFT_READINESS_CHECKS;
  const clock = opts.readiness?.now ?? Date.now;

  /**
   * One review; transient API errors retry the instance, anything else fails it as Forbidden does,
   * after `context` (OpenShift wraps the Forbidden error of each instantiation step in its own words).
   */
  async function review(ti: TemplateInstance, requester: Requester, attrs: Parameters<Authorizer>[1], context = ''): Promise<void> {
    if (!authorizer) return;
    try {
      await authorizer(requester, attrs);
    } catch (e) {
      if (e instanceof ForbiddenError) throw new TemplateProcessError(context + e.message);
      retryIfTransient(ti, e);
      // The real controller wraps a failed review call in the same Forbidden error.
      throw new TemplateProcessError(context + forbiddenMessage(attrs.group, attrs.resource, attrs.name, errorMessage(e)));
    }
  }

  /** The mapping of an object's kind; NoKindMatch (and a failed discovery) as OpenShift words it. */
  async function mappingOf(ti: TemplateInstance, apiVersion: string, kind: string): Promise<RestMapping> {
    try {
      return await mapper.mapping(apiVersion, kind);
    } catch (e) {
      if (!(e instanceof NoKindMatchError)) retryIfTransient(ti, e);
      throw new TemplateProcessError(`unable to identify the resource mapping for ${kindLabel(apiVersion, kind)}: ${errorMessage(e)}`);
    }
  }

  const queue = new WorkQueue((key) => sync(key), log);
  // Instances this process finished, by uid: the informer cache can lag behind our own status write,
  // and re-processing an instance whose status event has not arrived yet would be wasted work.
  const done = new Set<string>();
  // Object refs written for instances still waiting for readiness, by uid (same lag).
  const instantiated = new Map<string, ObjectRef[]>();
  // Readiness checks made per waiting instance, for OpenShift's fast/slow re-check delay.
  const readinessTries = new Map<string, number>();
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
    for (const [k, v] of Object.entries(secret.data ?? {})) values[k] = Buffer.from(v ?? '', 'base64').toString('utf8');
    // A real API server folds stringData into data; read it too in case a server does not.
    for (const [k, v] of Object.entries(secret.stringData ?? {})) values[k] = v ?? '';
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
      await review(ti, reviewed, { namespace, verb: 'get', group: '', resource: 'secrets', name: secretName }, 'unable to authorize user to retrive TemplateInstance Secret: ');
    }
    const template = structuredClone(ti.spec?.template ?? {});
    const supplied = await readSecretValues(ti);
    if (reviewed) {
      const tname = (template as { metadata?: { name?: string } }).metadata?.name ?? '';
      // Sic: OpenShift's text has the space before the colon.
      await review(ti, reviewed, { namespace, verb: 'create', group: GROUP, resource: 'templateconfigs', name: tname }, 'unable to authorize user to create TemplateConfig : ');
    }
    const { objects: processed } = processTemplate(template, supplied);
    // Mapped once per object; a kind the server does not serve is that object's error.
    const mapped: Array<{ obj: (typeof processed)[number]; mapping?: RestMapping; error?: string }> = [];
    for (const obj of processed) {
      try {
        mapped.push({ obj, mapping: await mappingOf(ti, obj.apiVersion, obj.kind) });
      } catch (e) {
        if (!(e instanceof TemplateProcessError)) throw e;
        mapped.push({ obj, error: e.message });
      }
    }
    const namespaceOf = (m: RestMapping, obj: (typeof processed)[number]) => (m.namespaced ? obj.metadata.namespace || namespace : '');
    if (reviewed) {
      // OpenShift reviews every object before creating any, and reports all the errors at once.
      const denied: string[] = [];
      for (const { obj, mapping, error } of mapped) {
        if (!mapping) {
          denied.push(error!);
          continue;
        }
        const name = obj.metadata.name ?? '';
        try {
          await review(
            ti,
            reviewed,
            { namespace: namespaceOf(mapping, obj), verb: 'create', group: mapping.group, resource: mapping.resource, name },
            `unable to authorize user to create ${resourceLabel(mapping)}, Name=${name}: `,
          );
        } catch (e) {
          if (!(e instanceof TemplateProcessError)) throw e;
          denied.push(e.message);
        }
      }
      if (denied.length) throw new TemplateProcessError(denied.join('\n'));
    }
    const refs: ObjectRef[] = [];
    const errors: string[] = [];
    for (const { obj, mapping, error } of mapped) {
      if (!mapping) {
        errors.push(error!);
        continue;
      }
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [TEMPLATE_INSTANCE_OWNER]: uid };
      const objNamespace = namespaceOf(mapping, obj);
      if (mapping.namespaced) obj.metadata.namespace = objNamespace;
      else delete obj.metadata.namespace;
      let created: KubernetesObject | undefined;
      try {
        created = await dynamic.create(mapping, objNamespace, obj);
      } catch (e) {
        if (errorCode(e) === 409) {
          try {
            const existing = await dynamic.get(mapping, objNamespace, obj.metadata.name ?? '');
            if (existing.metadata?.labels?.[TEMPLATE_INSTANCE_OWNER] === uid) created = existing;
          } catch (getErr) {
            retryIfTransient(ti, getErr);
            errors.push(`unable to retrive existing ${resourceLabel(mapping)}, Name=${obj.metadata.name}: ${errorMessage(getErr)}`);
            continue;
          }
        }
        if (!created) {
          retryIfTransient(ti, e);
          errors.push(`unable to create ${resourceLabel(mapping)}, Name=${obj.metadata.name}: ${errorMessage(e)}`);
          continue;
        }
      }
      refs.push({
        ref: {
          kind: mapping.kind,
          namespace: objNamespace,
          name: created.metadata?.name ?? obj.metadata.name ?? '',
          uid: created.metadata?.uid ?? '',
          apiVersion: obj.apiVersion,
        },
      });
    }
    return { refs, errors };
  }

  const readinessContext: ReadinessContext = {
    async buildsOf(namespace, name) {
      const builds = await mapper.mapping('build.openshift.io/v1', 'Build');
      return dynamic.list(builds, namespace, buildConfigSelector(name));
    },
  };

  /**
   * OpenShift's checkReadiness: true when every annotated object of a checkable kind is ready, false
   * while one is not yet; throws TemplateProcessError (the instance fails) for a failed object, one
   * gone or replaced, a failed check or the timeout.
   */
  async function checkReadiness(ti: TemplateInstance, refs: ObjectRef[]): Promise<boolean> {
    const created = Date.parse(ti.metadata?.creationTimestamp as unknown as string);
    if (clock() > created + readinessTimeout) throw new TemplateProcessError(READINESS_TIMEOUT_MESSAGE);
    const requester = ti.spec?.requester as Requester | undefined;
    for (const { ref } of refs) {
      const check = checks.get(gvkKey(ref.apiVersion, ref.kind));
      if (!check) continue;
      const mapping = await mappingOf(ti, ref.apiVersion, ref.kind);
      if (requester?.username) {
        await review(ti, requester, { namespace: ref.namespace, verb: 'get', group: mapping.group, resource: mapping.resource, name: ref.name });
      }
      let obj: KubernetesObject;
      try {
        obj = await dynamic.get(mapping, ref.namespace, ref.name);
      } catch (e) {
        retryIfTransient(ti, e);
        throw new TemplateProcessError(errorMessage(e));
      }
      if (obj.metadata?.uid !== ref.uid) throw new TemplateProcessError(notFoundMessage(mapping, ref.name));
      if (!waitsForReady(obj)) continue;
      let result;
      try {
        result = await check(obj, readinessContext);
      } catch (e) {
        if (e instanceof RetryLater) throw e;
        retryIfTransient(ti, e);
        throw new TemplateProcessError(errorMessage(e));
      }
      if (result.failed) throw new TemplateProcessError(`readiness failed on ${ref.kind} ${ref.namespace}/${ref.name}`);
      if (!result.ready) return false;
    }
    return true;
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
      let mapping: RestMapping;
      try {
        mapping = await mapper.mapping(ref.apiVersion, ref.kind);
      } catch (e) {
        if (e instanceof NoKindMatchError) continue; // no longer served: nothing of that kind is left
        throw e;
      }
      try {
        await dynamic.delete(mapping, ref.namespace, ref.name, 'Foreground');
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
    if (hasCondition(ti, CONDITION_READY) || hasCondition(ti, CONDITION_INSTANTIATE_FAILURE)) return;
    const uid = ti.metadata!.uid!;
    if (done.has(uid)) return;

    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    let failure: string | undefined;
    let refs: ObjectRef[] = instantiated.get(uid) ?? ti.status?.objects ?? [];
    let conditions = ti.status?.conditions ?? [];
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
    if (failure) {
      conditions = setCondition(conditions, { type: CONDITION_INSTANTIATE_FAILURE, status: TRUE, reason: REASON_FAILED, message: failure }, now);
    } else {
      let ready = false;
      try {
        ready = await checkReadiness(ti, refs);
      } catch (e) {
        if (!(e instanceof TemplateProcessError)) throw e;
        failure = e.message;
      }
      if (failure) {
        conditions = setCondition(conditions, { type: CONDITION_INSTANTIATE_FAILURE, status: TRUE, reason: REASON_FAILED, message: failure }, now);
        conditions = setCondition(conditions, { type: CONDITION_READY, status: FALSE, reason: REASON_FAILED, message: SEE_FAILURE_MESSAGE }, now);
      } else if (ready) {
        conditions = setCondition(conditions, { type: CONDITION_READY, status: TRUE, reason: REASON_CREATED }, now);
      } else {
        conditions = setCondition(conditions, { type: CONDITION_READY, status: FALSE, reason: REASON_WAITING, message: WAITING_MESSAGE }, now);
      }
    }
    const unchanged =
      conditions === ti.status?.conditions && JSON.stringify(refs) === JSON.stringify(ti.status?.objects ?? []);
    if (!unchanged) await patchStatus(ti, { conditions, objects: refs });
    attempts.delete(uid);
    const finished = conditions.some((c) => (c.type === CONDITION_READY || c.type === CONDITION_INSTANTIATE_FAILURE) && c.status === TRUE);
    if (finished) {
      done.add(uid);
      instantiated.delete(uid);
      readinessTries.delete(uid);
      log(`[template-instance] ${key}: ${failure ? `InstantiateFailure: ${failure}` : `Ready (${refs.length} objects)`}`);
      return;
    }
    // Waiting: OpenShift does not watch the objects, it looks again after a delay.
    instantiated.set(uid, refs);
    const tries = (readinessTries.get(uid) ?? 0) + 1;
    readinessTries.set(uid, tries);
    queue.addAfter(key, tries <= READINESS_FAST_TRIES ? readinessFast : readinessSlow);
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
