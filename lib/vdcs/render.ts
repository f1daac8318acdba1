/**
 * A VDC as clients see it: the row plus what its namespace uses, read from the quota status in
 * the informer cache (no API call) and converted into the VDC's own units.
 */
import type { Ctx } from '#lib/http/route.ts';
import type { VdcWithOrg } from '#db/queries/vdcs.ts';
import { vdcView, type VdcUsage } from '#lib/views/vdc.ts';
import { parseQuantity } from '#lib/k8s/quantity.ts';

/** Converts quota `status.used` into the VDC's CPU and memory units. */
export function usageOf(used: Record<string, string> | undefined, cpuUnits: string, memoryUnits: string, mhzPerCore: number): VdcUsage | undefined {
  if (!used) return undefined;
  const cores = parseQuantity(used['requests.cpu']) ?? 0;
  const bytes = parseQuantity(used['requests.memory']) ?? 0;
  const cpu = cpuUnits === 'cores' ? cores : cpuUnits === 'millicores' ? cores * 1000 : cpuUnits === 'GHz' ? (cores * mhzPerCore) / 1000 : cores * mhzPerCore;
  const memory = memoryUnits === 'GB' || memoryUnits === 'GiB' ? bytes / 2 ** 30 : bytes / 2 ** 20;
  return { cpu: Math.round(cpu * 1000) / 1000, memory: Math.round(memory * 1000) / 1000 };
}

/** The VDC JSON for a row, with usage when a cluster reports it. */
export function renderVdc(c: Ctx, row: VdcWithOrg) {
  const used = c.var.k8s?.quotaUsed(row.vdc.namespace);
  return vdcView(row, usageOf(used, row.vdc.cpuUnits, row.vdc.memoryUnits, c.var.config.cpuMhzPerCore));
}
