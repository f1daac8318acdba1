/**
 * Tasks that wait for the cluster: power actions (a VM, or every VM of a vApp, reaching the
 * action's target status), the power-on that follows an instantiation, and vApp deletions.
 * Waiting is event-driven: the status sync reports every VM row it writes (`onVmChange`), and
 * each event re-evaluates the watches after the sync has also refreshed the vApp row. Nothing
 * polls the API server. Each task has a deadline (`taskTimeoutSeconds` from its start), so a
 * task always ends; `resume()` at start-up ends the overdue ones and re-arms the others.
 */
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';
import { findVapp } from '#db/queries/vapps.ts';
import { vmsByIds, vmsOfVapp, type VmRow } from '#db/queries/vms.ts';
import { runningTasks, type TaskRow } from '#db/queries/tasks.ts';
import { finishTask, type TaskOutcome } from '#lib/tasks/service.ts';
import { TARGET, type PowerAction, POWER_ACTIONS } from '#lib/k8s/power.ts';
import { classify } from '#lib/k8s/errors.ts';
import { TASK_STATUS, VAPP_STATUS, VM_STATUS } from '#db/status.ts';

/** operationName of a power task: `vmPowerOn`, `vappReboot`, … */
export function powerOperation(kind: 'vm' | 'vapp', action: PowerAction): string {
  return `${kind}${action[0]!.toUpperCase()}${action.slice(1)}`;
}

/** The power-on after `instantiateTemplate` with `powerOn: true`. */
export const DEPLOY_OPERATION = 'vappDeploy';
/** A vApp deletion; it ends when the row goes (lib/vapps/finish-delete.ts). */
export const DELETE_OPERATION = 'vappDelete';

const POWER_OPS = new Map<string, { kind: 'vm' | 'vapp'; action: PowerAction }>(
  (['vm', 'vapp'] as const).flatMap((kind) => POWER_ACTIONS.map((action) => [powerOperation(kind, action), { kind, action }] as const)),
);

interface Watch {
  /** Sees every VM row change (before evaluation). */
  onVm?(vm: VmRow): void;
  /** The outcome once known; undefined while waiting. */
  evaluate(): TaskOutcome | undefined;
  timeoutMessage: string;
}

const error = (message: string, code: 'BUSY_ENTITY' | 'CLUSTER_UNAVAILABLE' | 'BAD_REQUEST' = 'BUSY_ENTITY'): TaskOutcome =>
  ({ status: TASK_STATUS.error, error: { minorErrorCode: code, message } });

export class TaskTracker {
  private watches = new Map<string, { watch: Watch; timer: NodeJS.Timeout }>();
  private pending = false;
  private unsubscribe: () => void;

  constructor(private db: Db, private k8s: Cluster, private log: Log, private timeoutMs: number, private now: () => number = Date.now) {
    this.unsubscribe = k8s.onVmChange((vm) => this.vmChanged(vm));
  }

  /** How many tasks are being waited for (tests, metrics). */
  get size(): number {
    return this.watches.size;
  }

  /**
   * Waits for `vmIds` to reach the action's target status. For reboot/reset a VM must first be
   * seen leaving POWERED_ON (it starts there, so reaching the target proves nothing by itself)
   * unless `restarted` says that already happened (re-armed after a restart).
   */
  watchPower(task: TaskRow, vmIds: string[], action: PowerAction, restarted = false): void {
    const target = TARGET[action];
    const mustLeave = new Set(action === 'reboot' || action === 'reset' ? (restarted ? [] : vmIds) : []);
    this.arm(task, {
      onVm(vm) {
        if (mustLeave.has(vm.id) && vm.status !== VM_STATUS.poweredOn) mustLeave.delete(vm.id);
      },
      evaluate: () => {
        const rows = vmsByIds(this.db, vmIds);
        if (rows.length < vmIds.length) return error('A VM of this task was deleted before reaching its target status');
        const failed = rows.find((r) => r.status === VM_STATUS.failed);
        if (failed) return error(`VM ${failed.name} failed: ${failed.statusMessage ?? 'unknown reason'}`);
        return rows.every((r) => r.status === target && !mustLeave.has(r.id)) ? { status: TASK_STATUS.success } : undefined;
      },
      timeoutMessage: `The VM${vmIds.length > 1 ? 's' : ''} did not reach ${target} in time`,
    });
  }

  /** Powers on the vApp's VMs as they appear stopped, until the vApp is POWERED_ON. */
  watchDeploy(task: TaskRow, vappId: string): void {
    const sent = new Set<string>();
    const powerOn = (vm: VmRow) => {
      if (vm.vappId !== vappId || vm.status !== VM_STATUS.poweredOff || sent.has(vm.id)) return;
      sent.add(vm.id);
      this.k8s.power(vm, 'powerOn').catch((e: unknown) => {
        this.finish(task.id, error(`Powering on VM ${vm.name} failed: ${classify(e).message}`, 'CLUSTER_UNAVAILABLE'));
      });
    };
    this.arm(task, {
      onVm: powerOn,
      evaluate: () => {
        const vapp = findVapp(this.db, vappId);
        if (!vapp || vapp.status === VAPP_STATUS.deleting) return error('The vApp was deleted before it was powered on');
        if (vapp.status === VAPP_STATUS.failed) return error(`The vApp failed: ${vapp.statusMessage ?? 'unknown reason'}`);
        return vapp.status === VAPP_STATUS.poweredOn ? { status: TASK_STATUS.success } : undefined;
      },
      timeoutMessage: 'The vApp was not powered on in time',
    });
    for (const vm of vmsOfVapp(this.db, vappId)) powerOn(vm);
  }

  /** Gives a deletion task its deadline; lib/vapps/finish-delete.ts ends it when the row goes. */
  watchDelete(task: TaskRow, vappId: string): void {
    this.arm(task, {
      evaluate: () => (findVapp(this.db, vappId) ? undefined : { status: TASK_STATUS.success }),
      timeoutMessage: 'The vApp\'s cluster objects were not gone in time; the reconciler keeps trying',
    });
  }

  /** Ends a task now (e.g. the action call failed) and stops waiting for it. */
  finish(taskId: string, outcome: TaskOutcome): void {
    const w = this.watches.get(taskId);
    if (w) {
      clearTimeout(w.timer);
      this.watches.delete(taskId);
    }
    finishTask(this.db, taskId, outcome, this.now());
  }

  /**
   * Start-up: running tasks past their deadline end in error; the others are watched again
   * (from the rows as they are now — a reboot seen half-way is taken as restarted).
   */
  resume(): void {
    const ops = [...POWER_OPS.keys(), DEPLOY_OPERATION, DELETE_OPERATION];
    for (const task of runningTasks(this.db, ops)) {
      if (this.watches.has(task.id)) continue;
      if (task.startTime + this.timeoutMs <= this.now()) {
        finishTask(this.db, task.id, error('The server restarted and the operation did not complete in time'), this.now());
        continue;
      }
      if (task.operationName === DEPLOY_OPERATION) this.watchDeploy(task, task.ownerId);
      else if (task.operationName === DELETE_OPERATION) this.watchDelete(task, task.ownerId);
      else {
        const op = POWER_OPS.get(task.operationName)!;
        const ids = op.kind === 'vm' ? [task.ownerId] : vmsOfVapp(this.db, task.ownerId).map((v) => v.id);
        this.watchPower(task, ids, op.action, true);
      }
    }
  }

  stop(): void {
    this.unsubscribe();
    for (const { timer } of this.watches.values()) clearTimeout(timer);
    this.watches.clear();
  }

  private arm(task: TaskRow, watch: Watch): void {
    const timer = setTimeout(() => this.finish(task.id, error(watch.timeoutMessage)), Math.max(0, task.startTime + this.timeoutMs - this.now()));
    timer.unref();
    this.watches.set(task.id, { watch, timer });
    this.schedule();
  }

  private vmChanged(vm: VmRow): void {
    for (const { watch } of this.watches.values()) {
      try { watch.onVm?.(vm); } catch (e) { this.log.warn({ err: (e as Error).message }, 'task watch failed'); }
    }
    this.schedule();
  }

  /**
   * Evaluates on the next turn: the status sync reports a VM before it refreshes the vApp row,
   * and several events of one watch batch need one evaluation.
   */
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      for (const [id, { watch }] of this.watches) {
        let outcome: TaskOutcome | undefined;
        try { outcome = watch.evaluate(); } catch (e) { this.log.warn({ task: id, err: (e as Error).message }, 'task evaluation failed'); }
        if (outcome) this.finish(id, outcome);
      }
    });
  }
}

const trackers = new WeakMap<Cluster, TaskTracker>();

/** The tracker of a cluster (one per runtime; created on first use). */
export function taskTracker(k8s: Cluster, deps: { db: Db; log: Log; taskTimeoutSeconds: number }): TaskTracker {
  let t = trackers.get(k8s);
  if (!t) {
    t = new TaskTracker(deps.db, k8s, deps.log, deps.taskTimeoutSeconds * 1000);
    trackers.set(k8s, t);
  }
  return t;
}
