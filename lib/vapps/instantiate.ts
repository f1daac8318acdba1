/**
 * Instantiating a template into a vApp (docs/architecture.md "Create", docs/kubernetes.md "vApp →
 * TemplateInstance"), in order:
 *
 * 1. checks — the VDC is visible and the caller may instantiate there; it is enabled and READY;
 *    a reachable cluster is configured; the catalog item resolves; the parameters fit the
 *    template. Nothing exists yet, so every refusal is clean.
 * 2. the row, CREATING — its name is unique in the VDC (case-insensitive; 400 DUPLICATE_NAME) and
 *    its instance name (DNS-1123 form of the name) is unique among the VDC's vApps; both are
 *    decided and written with no await in between, so concurrent requests cannot collide.
 * 3. the cluster — params Secret and TemplateInstance. On failure the objects are removed and the
 *    row is deleted (when the removal fails too, the row stays DELETING for the reconciler); the
 *    client gets 503 CLUSTER_UNAVAILABLE or the 400 naming the cause; never a 500.
 * 4. the row becomes INSTANTIATING with the instance uid; the status sync takes it from there.
 *    With `powerOn`, a `vappDeploy` task powers the VMs on as they appear.
 *
 * Parameters are stored in the row (the reconciler may need to recreate the instance) and are
 * never logged or returned.
 */
import { randomUUID } from 'node:crypto';
import type { Ctx } from '#lib/http/route.ts';
import type { VdcWithOrg } from '#db/queries/vdcs.ts';
import { deleteVappRow, instanceNamesInVdc, insertVapp, updateVapp } from '#db/queries/vapps.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { authorize } from '#lib/authz.ts';
import { busyEntity, clusterUnavailable, duplicateName } from '#lib/http/errors.ts';
import { clusterError, noCluster } from '#lib/http/cluster-errors.ts';
import { templatesOf } from '#lib/catalog/items.ts';
import { dnsLabel } from '#lib/k8s/labels.ts';
import { startTask } from '#lib/tasks/service.ts';
import { DEPLOY_OPERATION, taskTracker } from '#lib/power/tracker.ts';
import { badRequest } from '#lib/http/errors.ts';
import { outcomeUnknown, undoStarted } from '#lib/k8s/late-writes.ts';
import { resolveCatalogItem } from './catalog-item.ts';
import { templateParameters } from './parameters.ts';
import { bootSourceRef } from '#lib/k8s/boot-sources.ts';
import { parameterDefaults } from '#lib/k8s/template-params.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';
import type { CatalogTemplate } from '#lib/catalog/template.ts';
import type { InstantiateBody } from './schema.ts';
import { VAPP_STATUS, VDC_STATUS } from '#db/status.ts';

/** Room for a `-NN` suffix and the Secret's `-params` within a DNS-1123 label. */
const INSTANCE_NAME_MAX = 48;

/** A DNS-1123 instance name for a vApp name, not used by another vApp of the VDC. */
export function uniqueInstanceName(name: string, taken: Set<string>): string {
  const base = dnsLabel(name, INSTANCE_NAME_MAX) || 'vapp';
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * A VM cloned from a DataSource that is missing or not Ready never leaves Provisioning: refuse it
 * now (400) rather than create a vApp that never starts. The caller may name another boot source
 * through the template's parameters (DATA_SOURCE_NAME / DATA_SOURCE_NAMESPACE in the common
 * templates), which is checked the same way.
 */
function checkBootSource(k8s: Cluster, template: Record<string, any>, t: CatalogTemplate, parameters: Record<string, string>, namespace: string): void {
  if (!k8s.bootSource) return;
  const values = parameterDefaults(template);
  for (const [k, v] of Object.entries(parameters)) values.set(k, v);
  const ref = bootSourceRef(template, values, namespace);
  if (!ref) return;
  const state = k8s.bootSource(ref);
  if (state.ready) return;
  throw badRequest(`catalogItem: template ${t.namespace}/${t.name} cannot be instantiated: ${state.reason}; name a Ready boot source through its parameters (for the common templates DATA_SOURCE_NAME and DATA_SOURCE_NAMESPACE)`);
}

/** Instantiates and returns the new vApp's id. */
export async function instantiate(c: Ctx, found: VdcWithOrg, body: InstantiateBody): Promise<string> {
  const { db, session } = c.var;
  const s = session!;
  const { vdc } = found;
  authorize(s, 'vapp', 'instantiate', { orgId: vdc.orgId, ownerId: s.userId }, { type: 'vdc', id: vdc.id });
  if (!vdc.isEnabled) throw busyEntity(`VDC '${vdc.name}' is disabled: new vApps are refused`);
  if (vdc.status !== VDC_STATUS.ready) throw busyEntity(`VDC '${vdc.name}' is not ready (status ${vdc.status})`);
  const what = `Instantiating vApp '${body.name}'`;
  const k8s = c.var.k8s;
  if (!k8s) throw noCluster(what);
  if (!k8s.reachable()) throw clusterUnavailable(`${what}: the Kubernetes API is unreachable; try again later`);

  const item = resolveCatalogItem(db, s, templatesOf(k8s), body);
  const t = item.template;
  const template = k8s.rawTemplate(t.namespace, t.name);
  if (!template) throw badRequest(`catalogItem: template ${t.namespace}/${t.name} is no longer available`);

  // Steps 2: decided and written in one synchronous stretch (see the header).
  const instanceName = uniqueInstanceName(body.name, instanceNamesInVdc(db, vdc.id));
  const parameters = templateParameters(t, body.parameters ?? {}, instanceName);
  checkBootSource(k8s, template, t, parameters, vdc.namespace);
  const id = randomUUID();
  const now = c.var.now();
  try {
    insertVapp(db, {
      id, vdcId: vdc.id, orgId: vdc.orgId, ownerId: s.userId, name: body.name, nameKey: body.name.toLowerCase(),
      description: body.description ?? '', status: VAPP_STATUS.creating, statusMessage: null,
      catalogItemId: item.itemId, catalogItemName: t.name, templateNamespace: t.namespace, templateName: t.name,
      instanceName, instanceUid: null, parameters, createdAt: now, updatedAt: now,
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`name: a vApp named '${body.name}' already exists in VDC '${vdc.name}'`);
    throw e;
  }

  let uid: string;
  try {
    uid = await k8s.instantiate({
      namespace: vdc.namespace, instanceName, vappId: id, vappName: body.name, vdcId: vdc.id,
      templateNamespace: t.namespace, templateName: t.name, template, parameters,
    });
  } catch (e) {
    const cleaned = await k8s.deleteVappObjects(vdc.namespace, instanceName, null).then(() => true, (err: unknown) => {
      c.var.log.warn({ vapp: id, err: (err as Error).message }, 'could not remove the objects of a failed instantiation; the reconciler will');
      return false;
    });
    // A row left DELETING keeps the name of what may remain (a Secret, an instance) so the
    // reconciler can remove it; dropping the row now could leak them — also when the failed
    // call may still land (lib/k8s/late-writes.ts).
    if (cleaned && !outcomeUnknown(e)) deleteVappRow(db, id);
    else {
      const at = c.var.now();
      updateVapp(db, id, { status: VAPP_STATUS.deleting, updatedAt: at, ...(outcomeUnknown(e) ? undoStarted(at) : { statusMessage: 'Instantiation failed; removing what was created' }) });
    }
    throw clusterError(e, what);
  }
  updateVapp(db, id, { status: VAPP_STATUS.instantiating, instanceUid: uid, updatedAt: c.var.now() });
  // Events that arrived while the row was CREATING were not applied to the vApp's status.
  k8s.refreshVapp?.(id);

  if (body.powerOn) {
    const task = startTask(db, {
      operationName: DEPLOY_OPERATION, operation: `Powering on vApp ${body.name}`,
      owner: { type: 'vapp', id, name: body.name }, user: { id: s.userId, name: s.username }, org: { id: vdc.orgId, name: found.orgName },
    }, c.var.now());
    taskTracker(k8s, { db, log: c.var.log, taskTimeoutSeconds: c.var.config.taskTimeoutSeconds }).watchDeploy(task, id);
  }
  return id;
}
