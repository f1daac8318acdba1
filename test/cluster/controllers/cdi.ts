/**
 * CDI's DataVolume behaviour, simulated through the API alone (so it also runs against a bare
 * kube-apiserver with the CRDs): watches DataVolumes and DataSources and moves each DataVolume
 * through `status.phase` with a configurable delay per step. No PVC is created; the phases,
 * progress and conditions are what KubeVirt and SSVirt read.
 *
 * - `spec.sourceRef` of kind DataSource (namespace defaults to the DataVolume's): while the
 *   DataSource does not exist, or exists without condition `Ready`=True, the DataVolume stays
 *   `Pending` with conditions whose message names it (`DataSource <ns>/<name> does not exist`,
 *   `DataSource <ns>/<name> is not ready[: <its Ready message>]`); DataSource events bring the
 *   DataVolumes referring to it back, so it proceeds as soon as the DataSource is Ready:
 *   `CloneInProgress` → `Succeeded`.
 * - any other source (http, registry, pvc, blank, none): `ImportInProgress` → `Succeeded`.
 * - the annotation `sim.ssvirt.io/fail` (FAIL_ANNOTATION, any value) makes it `Failed` with
 *   `sim.ssvirt.io/fail-message` or a default import error; remove it and the import starts over.
 * `Succeeded` is final.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { errorCode, keyOf, splitKey, startInformer, WorkQueue, type Log } from './runtime.ts';

export const CDI_GROUP = 'cdi.kubevirt.io';
export const CDI_VERSION = 'v1beta1';
export const DATAVOLUMES = 'datavolumes';
export const DATASOURCES = 'datasources';
export const DATASOURCE_KIND = 'DataSource';

/** Same strings as the KubeVirt simulation's failure annotations. */
export const DV_FAIL_ANNOTATION = 'sim.ssvirt.io/fail';
export const DV_FAIL_MESSAGE_ANNOTATION = 'sim.ssvirt.io/fail-message';

export const DV_PHASE = {
  Pending: 'Pending',
  ImportInProgress: 'ImportInProgress',
  CloneInProgress: 'CloneInProgress',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
} as const;
export type DataVolumePhase = (typeof DV_PHASE)[keyof typeof DV_PHASE];

const READY = 'Ready';
const BOUND = 'Bound';
const RUNNING = 'Running';
const TRUE = 'True';
const FALSE = 'False';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
}

export interface DataVolume extends KubernetesObject {
  spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string }; source?: Record<string, unknown>; [k: string]: unknown };
  status?: { phase?: string; progress?: string; conditions?: Condition[]; claimName?: string; [k: string]: unknown };
}

export interface DataSource extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: { conditions?: Condition[] };
}

export interface CdiControllerOptions {
  /** Delay between two phase steps of one DataVolume (default 30 ms). */
  stepDelayMs?: number;
  log?: Log;
}

const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The DataSource a DataVolume clones from, or undefined for any other source. */
export function dataSourceOf(dv: DataVolume): { namespace: string; name: string } | undefined {
  const ref = dv.spec?.sourceRef;
  if (!ref || ref.kind !== DATASOURCE_KIND || !ref.name) return undefined;
  return { namespace: ref.namespace || dv.metadata?.namespace || '', name: ref.name };
}

/** Why a DataSource cannot be cloned from yet (names it), or undefined when it is Ready. */
export function dataSourceProblem(ref: { namespace: string; name: string }, ds: DataSource | undefined): string | undefined {
  const label = `DataSource ${ref.namespace}/${ref.name}`;
  if (!ds) return `${label} does not exist`;
  const ready = (ds.status?.conditions ?? []).find((c) => c.type === READY);
  if (ready?.status === TRUE) return undefined;
  return ready?.message ? `${label} is not ready: ${ready.message}` : `${label} is not ready`;
}

const cond = (type: string, status: boolean, reason: string, message?: string): Condition => ({
  type,
  status: status ? TRUE : FALSE,
  reason,
  ...(message ? { message } : {}),
});

export async function startCdiController(kc: KubeConfig, opts: CdiControllerOptions = {}): Promise<{ stop(): Promise<void>; idle(): Promise<void> }> {
  const log = opts.log ?? (() => {});
  const stepDelay = opts.stepDelayMs ?? 30;
  const custom = kc.makeApiClient(CustomObjectsApi);
  const lastStep = new Map<string, number>();
  const queue = new WorkQueue((key) => reconcile(key), log);

  const dvs = startInformer<DataVolume>(
    kc,
    `/apis/${CDI_GROUP}/${CDI_VERSION}/${DATAVOLUMES}`,
    () => custom.listClusterCustomObject({ group: CDI_GROUP, version: CDI_VERSION, plural: DATAVOLUMES }) as never,
    (_t, dv) => queue.add(keyOf(dv)),
    (m) => log(`[cdi] ${m}`),
  );
  const dss = startInformer<DataSource>(
    kc,
    `/apis/${CDI_GROUP}/${CDI_VERSION}/${DATASOURCES}`,
    () => custom.listClusterCustomObject({ group: CDI_GROUP, version: CDI_VERSION, plural: DATASOURCES }) as never,
    // A DataSource appearing, changing or going concerns the DataVolumes that clone from it.
    (_t, ds) => {
      for (const dv of dvs.list()) {
        const ref = dataSourceOf(dv);
        if (ref && ref.namespace === ds.metadata?.namespace && ref.name === ds.metadata?.name) queue.add(keyOf(dv));
      }
    },
    (m) => log(`[cdi] ${m}`),
  );
  const synced = Promise.all([dvs.synced, dss.synced]);

  async function setStatus(dv: DataVolume, phase: DataVolumePhase, progress: string, conditions: Condition[]): Promise<boolean> {
    const st = dv.status ?? {};
    const same =
      st.phase === phase &&
      st.progress === progress &&
      JSON.stringify((st.conditions ?? []).map(({ type, status, reason, message }) => ({ type, status, reason, message: message ?? undefined }))) ===
        JSON.stringify(conditions.map(({ type, status, reason, message }) => ({ type, status, reason, message })));
    if (same) return false;
    const t = nowIso();
    const stamped = conditions.map((c) => {
      const old = (st.conditions ?? []).find((o) => o.type === c.type);
      return { ...c, lastHeartbeatTime: t, lastTransitionTime: old && old.status === c.status ? (old.lastTransitionTime ?? t) : t };
    });
    try {
      await custom.patchNamespacedCustomObjectStatus(
        {
          group: CDI_GROUP,
          version: CDI_VERSION,
          plural: DATAVOLUMES,
          namespace: dv.metadata!.namespace!,
          name: dv.metadata!.name!,
          body: { status: { phase, progress, conditions: stamped, claimName: dv.metadata!.name } },
        },
        mergePatch,
      );
    } catch (e) {
      if (errorCode(e) !== 404) throw e;
    }
    return true;
  }

  function stepped(key: string): void {
    lastStep.set(key, Date.now());
    queue.addAfter(key, stepDelay);
  }

  async function reconcile(key: string): Promise<void> {
    await synced;
    const { namespace, name } = splitKey(key);
    const dv = dvs.get(name, namespace);
    if (!dv) {
      lastStep.delete(key);
      return;
    }
    if (dv.metadata?.deletionTimestamp || dv.status?.phase === DV_PHASE.Succeeded) return;
    const wait = (lastStep.get(key) ?? 0) + stepDelay - Date.now();
    if (wait > 0) {
      queue.addAfter(key, wait);
      return;
    }
    const annotations = dv.metadata?.annotations ?? {};
    if (annotations[DV_FAIL_ANNOTATION] !== undefined) {
      const message =
        annotations[DV_FAIL_MESSAGE_ANNOTATION] ??
        'Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found';
      await setStatus(dv, DV_PHASE.Failed, 'N/A', [cond(BOUND, true, BOUND), cond(READY, false, 'Error', message), cond(RUNNING, false, 'Error', message)]);
      return;
    }
    const ref = dataSourceOf(dv);
    if (ref) {
      const problem = dataSourceProblem(ref, dss.get(ref.name, ref.namespace));
      if (problem) {
        // Waits for a DataSource event, not for a timer.
        await setStatus(dv, DV_PHASE.Pending, 'N/A', [cond(BOUND, false, DV_PHASE.Pending, problem), cond(READY, false, DV_PHASE.Pending, problem), cond(RUNNING, false, DV_PHASE.Pending)]);
        return;
      }
    }
    const inProgress = ref ? DV_PHASE.CloneInProgress : DV_PHASE.ImportInProgress;
    if (dv.status?.phase !== inProgress) {
      await setStatus(dv, inProgress, '0.00%', [cond(BOUND, true, BOUND), cond(READY, false, 'TransferRunning'), cond(RUNNING, true, RUNNING)]);
      stepped(key);
      return;
    }
    await setStatus(dv, DV_PHASE.Succeeded, '100.0%', [cond(BOUND, true, BOUND), cond(READY, true, READY), cond(RUNNING, false, 'Completed')]);
  }

  await Promise.race([synced, new Promise((r) => setTimeout(r, 5000))]);
  return {
    idle: () => queue.idle(),
    async stop() {
      await Promise.all([dvs.stop(), dss.stop()]);
      await queue.stop();
    },
  };
}
