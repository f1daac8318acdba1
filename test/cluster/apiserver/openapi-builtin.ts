/**
 * OpenAPI schemas of the built-in kinds the simulator serves, written by hand after the v1.28 API
 * types (field names, types, required fields and the strategic-merge extensions that matter for
 * `kubectl apply`). kubectl validates files against these client-side, so every field a real server
 * accepts must be declared where a definition lists `properties`; specs the simulator only passes
 * through (CustomResourceDefinition) are open objects instead of half-declared ones.
 *
 * References are bare definition names (`{ $ref: 'io.k8s…ObjectMeta' }`); openapi.ts turns them into
 * `#/definitions/…` (v2) or `#/components/schemas/…` (v3).
 */
import type { Obj } from './serialize.ts';

export type JsonSchema = Obj;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const CORE = 'io.k8s.api.core.v1.';
const NET = 'io.k8s.api.networking.v1.';
const COORD = 'io.k8s.api.coordination.v1.';
const RBAC = 'io.k8s.api.rbac.v1.';
const AUTHZ = 'io.k8s.api.authorization.v1.';
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
export const OBJECT_META = `${META}ObjectMeta`;
export const LIST_META = `${META}ListMeta`;

const str = (extra: Obj = {}): JsonSchema => ({ type: 'string', ...extra });
const int32: JsonSchema = { type: 'integer', format: 'int32' };
const int64: JsonSchema = { type: 'integer', format: 'int64' };
const bool: JsonSchema = { type: 'boolean' };
const ref = (name: string): JsonSchema => ({ $ref: name });
const arr = (items: JsonSchema, extra: Obj = {}): JsonSchema => ({ type: 'array', items, ...extra });
const strings: JsonSchema = arr(str());
const map = (values: JsonSchema): JsonSchema => ({ type: 'object', additionalProperties: values });
const obj = (properties: Record<string, JsonSchema>, required?: string[]): JsonSchema =>
  (required ? { type: 'object', required, properties } : { type: 'object', properties });
/** An object the simulator does not look into: any fields pass validation. */
const open: JsonSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const quantities = map(ref('io.k8s.apimachinery.pkg.api.resource.Quantity'));
/** patchStrategy merge with a merge key, as the Go struct tags say. */
const mergeBy = (key: string): Obj => ({ 'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': 'merge' });

/** A top-level kind: apiVersion, kind, metadata, then its own fields. */
function kind(properties: Record<string, JsonSchema>, required?: string[]): JsonSchema {
  return obj({ apiVersion: str(), kind: str(), metadata: ref(OBJECT_META), ...properties }, required);
}

/** The definitions, by name; kinds are tied to their GVK in `BUILTIN_KINDS`. */
export const BUILTIN_DEFINITIONS: Record<string, JsonSchema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': str(),
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': str({ format: 'int-or-string' }),
  [`${META}Time`]: str({ format: 'date-time' }),
  [`${META}MicroTime`]: str({ format: 'date-time' }),
  [`${META}FieldsV1`]: { type: 'object' },
  [OBJECT_META]: obj({
    annotations: map(str()),
    creationTimestamp: ref(`${META}Time`),
    deletionGracePeriodSeconds: int64,
    deletionTimestamp: ref(`${META}Time`),
    finalizers: arr(str(), { 'x-kubernetes-patch-strategy': 'merge' }),
    generateName: str(),
    generation: int64,
    labels: map(str()),
    managedFields: arr(ref(`${META}ManagedFieldsEntry`)),
    name: str(),
    namespace: str(),
    ownerReferences: arr(ref(`${META}OwnerReference`), mergeBy('uid')),
    resourceVersion: str(),
    selfLink: str(),
    uid: str(),
  }),
  [LIST_META]: obj({ continue: str(), remainingItemCount: int64, resourceVersion: str(), selfLink: str() }),
  [`${META}OwnerReference`]: obj({
    apiVersion: str(), blockOwnerDeletion: bool, controller: bool, kind: str(), name: str(), uid: str(),
  }, ['apiVersion', 'kind', 'name', 'uid']),
  [`${META}ManagedFieldsEntry`]: obj({
    apiVersion: str(), fieldsType: str(), fieldsV1: ref(`${META}FieldsV1`), manager: str(), operation: str(),
    subresource: str(), time: ref(`${META}Time`),
  }),
  [`${META}LabelSelector`]: obj({
    matchExpressions: arr(ref(`${META}LabelSelectorRequirement`)),
    matchLabels: map(str()),
  }),
  [`${META}LabelSelectorRequirement`]: obj({ key: str(), operator: str(), values: strings }, ['key', 'operator']),

  [`${CORE}Namespace`]: kind({ spec: ref(`${CORE}NamespaceSpec`), status: ref(`${CORE}NamespaceStatus`) }),
  [`${CORE}NamespaceSpec`]: obj({ finalizers: strings }),
  [`${CORE}NamespaceStatus`]: obj({ conditions: arr(ref(`${CORE}NamespaceCondition`), mergeBy('type')), phase: str() }),
  [`${CORE}NamespaceCondition`]: obj({
    lastTransitionTime: ref(`${META}Time`), message: str(), reason: str(), status: str(), type: str(),
  }, ['type', 'status']),
  [`${CORE}ResourceQuota`]: kind({ spec: ref(`${CORE}ResourceQuotaSpec`), status: ref(`${CORE}ResourceQuotaStatus`) }),
  [`${CORE}ResourceQuotaSpec`]: obj({ hard: quantities, scopeSelector: ref(`${CORE}ScopeSelector`), scopes: strings }),
  [`${CORE}ResourceQuotaStatus`]: obj({ hard: quantities, used: quantities }),
  [`${CORE}ScopeSelector`]: obj({ matchExpressions: arr(ref(`${CORE}ScopedResourceSelectorRequirement`)) }),
  [`${CORE}ScopedResourceSelectorRequirement`]: obj({ operator: str(), scopeName: str(), values: strings }, ['scopeName', 'operator']),
  [`${CORE}Secret`]: kind({ data: map(str({ format: 'byte' })), immutable: bool, stringData: map(str()), type: str() }),
  [`${CORE}LimitRange`]: kind({ spec: ref(`${CORE}LimitRangeSpec`) }),
  [`${CORE}LimitRangeSpec`]: obj({ limits: arr(ref(`${CORE}LimitRangeItem`)) }, ['limits']),
  [`${CORE}LimitRangeItem`]: obj({
    default: quantities, defaultRequest: quantities, max: quantities, maxLimitRequestRatio: quantities, min: quantities, type: str(),
  }, ['type']),
  [`${CORE}Event`]: kind({
    action: str(), count: int32, eventTime: ref(`${META}MicroTime`), firstTimestamp: ref(`${META}Time`),
    involvedObject: ref(`${CORE}ObjectReference`), lastTimestamp: ref(`${META}Time`), message: str(), reason: str(),
    related: ref(`${CORE}ObjectReference`), reportingComponent: str(), reportingInstance: str(),
    series: ref(`${CORE}EventSeries`), source: ref(`${CORE}EventSource`), type: str(),
  }, ['metadata', 'involvedObject']),
  [`${CORE}EventSeries`]: obj({ count: int32, lastObservedTime: ref(`${META}MicroTime`) }),
  [`${CORE}EventSource`]: obj({ component: str(), host: str() }),
  [`${CORE}ObjectReference`]: obj({
    apiVersion: str(), fieldPath: str(), kind: str(), name: str(), namespace: str(), resourceVersion: str(), uid: str(),
  }),
  [`${CORE}LocalObjectReference`]: obj({ name: str() }),
  [`${CORE}ServiceAccount`]: kind({
    automountServiceAccountToken: bool,
    imagePullSecrets: arr(ref(`${CORE}LocalObjectReference`)),
    secrets: arr(ref(`${CORE}ObjectReference`), mergeBy('name')),
  }),

  [`${NET}NetworkPolicy`]: kind({ spec: ref(`${NET}NetworkPolicySpec`) }),
  [`${NET}NetworkPolicySpec`]: obj({
    egress: arr(ref(`${NET}NetworkPolicyEgressRule`)),
    ingress: arr(ref(`${NET}NetworkPolicyIngressRule`)),
    podSelector: ref(`${META}LabelSelector`),
    policyTypes: strings,
  }, ['podSelector']),
  [`${NET}NetworkPolicyIngressRule`]: obj({ from: arr(ref(`${NET}NetworkPolicyPeer`)), ports: arr(ref(`${NET}NetworkPolicyPort`)) }),
  [`${NET}NetworkPolicyEgressRule`]: obj({ ports: arr(ref(`${NET}NetworkPolicyPort`)), to: arr(ref(`${NET}NetworkPolicyPeer`)) }),
  [`${NET}NetworkPolicyPeer`]: obj({
    ipBlock: ref(`${NET}IPBlock`), namespaceSelector: ref(`${META}LabelSelector`), podSelector: ref(`${META}LabelSelector`),
  }),
  [`${NET}NetworkPolicyPort`]: obj({ endPort: int32, port: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'), protocol: str() }),
  [`${NET}IPBlock`]: obj({ cidr: str(), except: strings }, ['cidr']),

  [`${COORD}Lease`]: kind({ spec: ref(`${COORD}LeaseSpec`) }),
  [`${COORD}LeaseSpec`]: obj({
    acquireTime: ref(`${META}MicroTime`), holderIdentity: str(), leaseDurationSeconds: int32, leaseTransitions: int32,
    renewTime: ref(`${META}MicroTime`),
  }),

  [`${RBAC}ClusterRole`]: kind({ aggregationRule: ref(`${RBAC}AggregationRule`), rules: arr(ref(`${RBAC}PolicyRule`)) }),
  [`${RBAC}Role`]: kind({ rules: arr(ref(`${RBAC}PolicyRule`)) }),
  [`${RBAC}ClusterRoleBinding`]: kind({ roleRef: ref(`${RBAC}RoleRef`), subjects: arr(ref(`${RBAC}Subject`)) }, ['roleRef']),
  [`${RBAC}RoleBinding`]: kind({ roleRef: ref(`${RBAC}RoleRef`), subjects: arr(ref(`${RBAC}Subject`)) }, ['roleRef']),
  [`${RBAC}AggregationRule`]: obj({ clusterRoleSelectors: arr(ref(`${META}LabelSelector`)) }),
  [`${RBAC}PolicyRule`]: obj({ apiGroups: strings, nonResourceURLs: strings, resourceNames: strings, resources: strings, verbs: strings }, ['verbs']),
  [`${RBAC}RoleRef`]: obj({ apiGroup: str(), kind: str(), name: str() }, ['apiGroup', 'kind', 'name']),
  [`${RBAC}Subject`]: obj({ apiGroup: str(), kind: str(), name: str(), namespace: str() }, ['kind', 'name']),

  [`${AUTHZ}SubjectAccessReview`]: kind({ spec: ref(`${AUTHZ}SubjectAccessReviewSpec`), status: ref(`${AUTHZ}SubjectAccessReviewStatus`) }, ['spec']),
  [`${AUTHZ}SelfSubjectAccessReview`]: kind({ spec: ref(`${AUTHZ}SelfSubjectAccessReviewSpec`), status: ref(`${AUTHZ}SubjectAccessReviewStatus`) }, ['spec']),
  [`${AUTHZ}SubjectAccessReviewSpec`]: obj({
    extra: map(strings), groups: strings, nonResourceAttributes: ref(`${AUTHZ}NonResourceAttributes`),
    resourceAttributes: ref(`${AUTHZ}ResourceAttributes`), uid: str(), user: str(),
  }),
  [`${AUTHZ}SelfSubjectAccessReviewSpec`]: obj({
    nonResourceAttributes: ref(`${AUTHZ}NonResourceAttributes`), resourceAttributes: ref(`${AUTHZ}ResourceAttributes`),
  }),
  [`${AUTHZ}ResourceAttributes`]: obj({
    group: str(), name: str(), namespace: str(), resource: str(), subresource: str(), verb: str(), version: str(),
  }),
  [`${AUTHZ}NonResourceAttributes`]: obj({ path: str(), verb: str() }),
  [`${AUTHZ}SubjectAccessReviewStatus`]: obj({ allowed: bool, denied: bool, evaluationError: str(), reason: str() }, ['allowed']),

  [`${APIEXT}CustomResourceDefinition`]: kind({ spec: open, status: open }, ['spec']),
};

/** Definition name of each built-in kind, by `group/version/Kind` (group empty for core). */
export const BUILTIN_KINDS: Record<string, string> = {
  '/v1/Namespace': `${CORE}Namespace`,
  '/v1/ResourceQuota': `${CORE}ResourceQuota`,
  '/v1/Secret': `${CORE}Secret`,
  '/v1/LimitRange': `${CORE}LimitRange`,
  '/v1/Event': `${CORE}Event`,
  '/v1/ServiceAccount': `${CORE}ServiceAccount`,
  'networking.k8s.io/v1/NetworkPolicy': `${NET}NetworkPolicy`,
  'coordination.k8s.io/v1/Lease': `${COORD}Lease`,
  'rbac.authorization.k8s.io/v1/ClusterRole': `${RBAC}ClusterRole`,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': `${RBAC}ClusterRoleBinding`,
  'rbac.authorization.k8s.io/v1/Role': `${RBAC}Role`,
  'rbac.authorization.k8s.io/v1/RoleBinding': `${RBAC}RoleBinding`,
  'authorization.k8s.io/v1/SubjectAccessReview': `${AUTHZ}SubjectAccessReview`,
  'authorization.k8s.io/v1/SelfSubjectAccessReview': `${AUTHZ}SelfSubjectAccessReview`,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': `${APIEXT}CustomResourceDefinition`,
};
