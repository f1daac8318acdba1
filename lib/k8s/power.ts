/**
 * Power actions → KubeVirt (docs/kubernetes.md "Power actions"): the subresource API when the cluster serves it,
 * else a merge patch of `spec.runStrategy` (a bare API server with only the CRDs). Which one is
 * decided once, from discovery.
 */
import type { KubeApi } from './api.ts';
import { VM_STATUS, type VmStatus } from '#db/status.ts';

export const POWER_ACTIONS = ['powerOn', 'powerOff', 'reboot', 'reset', 'suspend', 'shutdown'] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];
export type PowerMode = 'subresources' | 'runStrategy';

/** The status a VM must reach for the action's task to succeed. */
export const TARGET: Record<PowerAction, VmStatus> = {
  powerOn: VM_STATUS.poweredOn, powerOff: VM_STATUS.poweredOff, shutdown: VM_STATUS.poweredOff,
  reboot: VM_STATUS.poweredOn, reset: VM_STATUS.poweredOn, suspend: VM_STATUS.suspended,
};

/** Whether an action makes sense from a status; the message for the 400 when it does not. */
export function actionAllowed(action: PowerAction, status: string): string | undefined {
  const { poweredOn, poweredOff, poweringOn, suspended, failed, unknown } = VM_STATUS;
  const ok: Record<PowerAction, string[]> = {
    powerOn: [poweredOff, suspended, failed, unknown],
    powerOff: [poweredOn, poweringOn, suspended, failed, unknown],
    shutdown: [poweredOn, poweringOn, unknown],
    reboot: [poweredOn],
    reset: [poweredOn, suspended, failed],
    suspend: [poweredOn],
  };
  return ok[action].includes(status) ? undefined : `cannot ${action} a VM whose status is ${status}`;
}

/** Detects the subresource API from discovery (`/apis` lists `subresources.kubevirt.io`). */
export async function detectPowerMode(api: KubeApi): Promise<PowerMode> {
  const groups = await api.raw<{ groups?: { name?: string }[] }>('get', 'discovery', 'GET', '/apis');
  return groups?.groups?.some((g) => g.name === 'subresources.kubevirt.io') ? 'subresources' : 'runStrategy';
}

const SUB = (ns: string, kind: string, name: string, verb: string) =>
  `/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/${kind}/${encodeURIComponent(name)}/${verb}`;

/**
 * A power action whose first call the cluster accepted. `rest` settles when its later steps have
 * (the runStrategy reboot waits for the old VMI, then starts it again, which can take minutes and
 * must not hold the HTTP request): with undefined, or with the error that ended them. It never
 * rejects, so an action nobody follows up cannot become an unhandled rejection.
 */
export interface PowerSent {
  rest: Promise<unknown>;
}

const SENT: PowerSent = { rest: Promise.resolve(undefined) };

/** Sends one power action for the VM `namespace/name` currently in `status`. */
export async function sendPowerAction(api: KubeApi, mode: PowerMode, ns: string, name: string, action: PowerAction, status: string, opts: FallbackOptions = {}): Promise<PowerSent> {
  if (mode === 'runStrategy') return runStrategyFallback(api, ns, name, action, status, opts);
  await sendSubresource(api, ns, name, action, status);
  return SENT;
}

async function sendSubresource(api: KubeApi, ns: string, name: string, action: PowerAction, status: string): Promise<void> {
  switch (action) {
    case 'powerOn':
      if (status === VM_STATUS.suspended) await api.raw('update', 'virtualmachineinstances/unpause', 'PUT', SUB(ns, 'virtualmachineinstances', name, 'unpause'), {});
      else await api.raw('update', 'virtualmachines/start', 'PUT', SUB(ns, 'virtualmachines', name, 'start'), {});
      return;
    case 'powerOff':
      await api.raw('update', 'virtualmachines/stop', 'PUT', SUB(ns, 'virtualmachines', name, 'stop'), { gracePeriod: 0 });
      return;
    case 'shutdown':
      await api.raw('update', 'virtualmachines/stop', 'PUT', SUB(ns, 'virtualmachines', name, 'stop'), {});
      return;
    case 'reboot':
      await api.raw('update', 'virtualmachines/restart', 'PUT', SUB(ns, 'virtualmachines', name, 'restart'), {});
      return;
    case 'reset':
      await api.raw('update', 'virtualmachines/restart', 'PUT', SUB(ns, 'virtualmachines', name, 'restart'), { gracePeriodSeconds: 0 });
      return;
    case 'suspend':
      await api.raw('update', 'virtualmachineinstances/pause', 'PUT', SUB(ns, 'virtualmachineinstances', name, 'pause'), {});
      return;
  }
}

/** How the runStrategy reboot waits for the old VMI to go: poll interval and overall bound. */
export interface FallbackOptions { pollMs?: number; vmiGoneTimeoutMs?: number }

/**
 * Polls until the VMI `ns/name` is gone (404). A get, not a delete or a watch: the server's
 * ServiceAccount may only read VMIs, and one short-lived get per interval is cheaper than
 * setting up a watch for a single transition.
 */
async function waitVmiGone(api: KubeApi, ns: string, name: string, pollMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await api.call('get', 'virtualmachineinstances', (opt) =>
        api.custom.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: ns, plural: 'virtualmachineinstances', name }, opt));
    } catch (e) {
      if ((e as { kind?: string }).kind === 'notFound') return;
      throw e;
    }
    if (Date.now() >= deadline) throw new Error(`the VMI ${ns}/${name} did not go within ${timeoutMs} ms of runStrategy Halted; not starting it again`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function runStrategyFallback(api: KubeApi, ns: string, name: string, action: PowerAction, status: string, opts: FallbackOptions): Promise<PowerSent> {
  const patch = (runStrategy: string) =>
    api.call('patch', 'virtualmachines', (opt) =>
      api.custom.patchNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: ns, plural: 'virtualmachines', name, body: { spec: { runStrategy, running: null } } }, opt),
      // The literal, not the client's PatchStrategy: this module is loaded without a cluster too,
      // and importing the client library there costs most of the start-up time.
      { contentType: 'application/merge-patch+json' });
  switch (action) {
    case 'powerOn': await patch('Always'); return SENT;
    case 'powerOff':
    case 'shutdown': await patch('Halted'); return SENT;
    case 'reboot':
    case 'reset':
      // Without virt-api there is no restart: stop, then start again. KubeVirt's VM controller is
      // level-triggered: Halted then Always back-to-back is seen as Always with a running VMI,
      // and nothing restarts. So Always is written only once the old VMI is gone.
      await patch('Halted');
      return {
        rest: waitVmiGone(api, ns, name, opts.pollMs ?? 250, opts.vmiGoneTimeoutMs ?? 120_000)
          .then(() => patch('Always'))
          .then(() => undefined, (e: unknown) => e ?? new Error('the restart failed')),
      };
    case 'suspend':
      throw Object.assign(new Error(`suspend needs the KubeVirt subresource API, which this cluster does not serve (status ${status})`), { unsupported: true });
  }
}
