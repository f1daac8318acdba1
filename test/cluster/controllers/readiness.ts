/**
 * Readiness of instantiated objects, as OpenShift's TemplateInstance controller judges it for objects
 * annotated `template.alpha.openshift.io/wait-for-ready: "true"`: one check per group/version/kind
 * it knows (Build, BuildConfig, DeploymentConfig, Route, Deployment, StatefulSet, Job, in their API
 * versions and the legacy /oapi `v1` ones), each saying ready, failed or neither. Kinds without a
 * check are skipped whether annotated or not (OpenShift's CanCheckReadiness), so an annotated
 * VirtualMachine does not hold its instance back. Pure, except BuildConfig, which reads its Builds.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export const WAIT_FOR_READY_ANNOTATION = 'template.alpha.openshift.io/wait-for-ready';

export interface Readiness {
  ready: boolean;
  failed: boolean;
}

export interface ReadinessContext {
  /** The Builds of a BuildConfig (label `openshift.io/build-config.name`) in its namespace. */
  buildsOf(namespace: string, buildConfigName: string): Promise<KubernetesObject[]>;
}

export type ReadinessCheck = (obj: any, ctx: ReadinessContext) => Readiness | Promise<Readiness>;

/** Key of a check: `apiVersion` and kind, as in an object reference. */
export const gvkKey = (apiVersion: string | undefined, kind: string | undefined) => `${apiVersion || 'v1'}/${kind ?? ''}`;

const BUILD_CONFIG_LABEL = 'openshift.io/build-config.name';
const BUILD_NUMBER_ANNOTATION = 'openshift.io/build.number';
const BUILD_COMPLETE = 'Complete';
const BUILD_TERMINAL = new Set([BUILD_COMPLETE, 'Failed', 'Error', 'Cancelled']);
const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
const NEW_RC_AVAILABLE = 'NewReplicationControllerAvailable';
const PROGRESSING = 'Progressing';
const AVAILABLE = 'Available';
const TRUE = 'True';
const FALSE = 'False';

const neither: Readiness = { ready: false, failed: false };

function condition(obj: any, type: string): { status?: string; reason?: string } | undefined {
  return (obj?.status?.conditions ?? []).find((c: { type?: string }) => c.type === type);
}

/** The object's controller has seen its latest spec. */
const synced = (obj: any) => obj?.status?.observedGeneration !== undefined && obj?.status?.observedGeneration === obj?.metadata?.generation;

export function checkBuild(b: any): Readiness {
  const phase = b?.status?.phase ?? '';
  const terminal = BUILD_TERMINAL.has(phase);
  return { ready: terminal && phase === BUILD_COMPLETE, failed: terminal && phase !== BUILD_COMPLETE };
}

/** The Build numbered `status.lastVersion` decides; until it exists, neither. */
async function checkBuildConfig(bc: any, ctx: ReadinessContext): Promise<Readiness> {
  const builds = await ctx.buildsOf(bc?.metadata?.namespace ?? '', bc?.metadata?.name ?? '');
  const last = String(bc?.status?.lastVersion ?? 0);
  const build = builds.find((b) => b.metadata?.annotations?.[BUILD_NUMBER_ANNOTATION] === last);
  return build ? checkBuild(build) : neither;
}

export function checkDeployment(d: any): Readiness {
  const progressing = condition(d, PROGRESSING);
  if (!synced(d) || !progressing) return neither;
  const available = condition(d, AVAILABLE);
  return {
    ready: progressing.status === TRUE && progressing.reason === NEW_RS_AVAILABLE && available?.status === TRUE,
    failed: progressing.status === FALSE,
  };
}

export function checkDeploymentConfig(dc: any): Readiness {
  const progressing = condition(dc, PROGRESSING);
  const available = condition(dc, AVAILABLE);
  const isSynced = synced(dc);
  return {
    ready: isSynced && progressing?.status === TRUE && progressing.reason === NEW_RC_AVAILABLE && available?.status === TRUE,
    failed: isSynced && progressing?.status === FALSE,
  };
}

export function checkJob(j: any): Readiness {
  return { ready: !!j?.status?.completionTime, failed: (Number(j?.status?.failed) || 0) > 0 };
}

/** Never failed: a StatefulSet is ready once all its replicas are. */
export function checkStatefulSet(s: any): Readiness {
  const replicas = s?.spec?.replicas;
  const ready = synced(s) && replicas !== undefined && replicas !== null && (s?.status?.readyReplicas ?? 0) === replicas;
  return { ready, failed: false };
}

/** A Route is ready once its host is set (admitted by the router). */
export function checkRoute(r: any): Readiness {
  return { ready: !!r?.spec?.host, failed: false };
}

/** The checks OpenShift's controller has, by apiVersion and kind. */
export const OPENSHIFT_READINESS_CHECKS: ReadonlyMap<string, ReadinessCheck> = new Map<string, ReadinessCheck>([
  [gvkKey('build.openshift.io/v1', 'Build'), checkBuild],
  [gvkKey('build.openshift.io/v1', 'BuildConfig'), checkBuildConfig],
  [gvkKey('apps.openshift.io/v1', 'DeploymentConfig'), checkDeploymentConfig],
  [gvkKey('route.openshift.io/v1', 'Route'), checkRoute],
  // Legacy (/oapi) kinds.
  [gvkKey('v1', 'Build'), checkBuild],
  [gvkKey('v1', 'BuildConfig'), checkBuildConfig],
  [gvkKey('v1', 'DeploymentConfig'), checkDeploymentConfig],
  [gvkKey('v1', 'Route'), checkRoute],
  // Kubernetes kinds.
  ...['apps/v1', 'apps/v1beta1', 'apps/v1beta2'].flatMap((v): Array<[string, ReadinessCheck]> => [
    [gvkKey(v, 'Deployment'), checkDeployment],
    [gvkKey(v, 'StatefulSet'), checkStatefulSet],
  ]),
  [gvkKey('batch/v1', 'Job'), checkJob],
]);

/** The label selector of a BuildConfig's Builds. */
export const buildConfigSelector = (name: string) => `${BUILD_CONFIG_LABEL}=${name}`;

/** Whether the object asks to be waited for (the value is compared case-insensitively, as OpenShift does). */
export function waitsForReady(obj: KubernetesObject): boolean {
  return (obj.metadata?.annotations?.[WAIT_FOR_READY_ANNOTATION] ?? '').toLowerCase() === 'true';
}
