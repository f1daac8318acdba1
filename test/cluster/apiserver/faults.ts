/**
 * Fault injection rules, matched per request by verb, resource and namespace. A rule applies to the
 * next `times` matching requests, or until cleared. Latency adds up over all matching rules; the
 * first matching rule with an effect (status, reset, dropWatch) decides the outcome. `outage` ignores
 * the filters: without `times` the listener is closed and every connection destroyed until the rule
 * is cleared; with `times` the next N connections are accepted and destroyed at once.
 */
import { randomUUID } from 'node:crypto';

export interface FaultRule {
  verb?: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | string;
  resource?: string;
  namespace?: string;
  latencyMs?: number;
  status?: 500 | 503 | 409 | 429 | 403;
  reset?: boolean;
  outage?: boolean;
  dropWatch?: 'close' | 'gone';
  times?: number;
}

export interface FaultControl {
  inject(rule: FaultRule): string;
  clear(id?: string): void;
  list(): FaultRule[];
}

export interface RequestInfo { verb: string; resource?: string; namespace?: string }
export interface FaultDecision { latencyMs: number; effect?: FaultRule }

interface Entry { id: string; rule: FaultRule; left: number }

export class Faults implements FaultControl {
  private entries: Entry[] = [];
  /** Told when the set of outage rules changes, so the server can close or reopen its listener. */
  onChange: () => void = () => {};

  inject(rule: FaultRule): string {
    const id = randomUUID();
    this.entries.push({ id, rule: { ...rule }, left: rule.times ?? Infinity });
    this.onChange();
    return id;
  }

  clear(id?: string): void {
    this.entries = id ? this.entries.filter((e) => e.id !== id) : [];
    this.onChange();
  }

  list(): FaultRule[] {
    return this.entries.map((e) => ({ ...e.rule, ...(Number.isFinite(e.left) ? { times: e.left } : {}), id: e.id } as FaultRule));
  }

  /** Whether an active dropWatch rule matches a watch (without consuming it). */
  dropsWatch(info: RequestInfo): boolean {
    return this.entries.some((e) => e.rule.dropWatch && e.left > 0 && this.matches(e.rule, info));
  }

  /** An outage rule without `times` is active: the listener must stay closed. */
  get fullOutage(): boolean { return this.entries.some((e) => e.rule.outage && e.rule.times === undefined); }

  /** Consumes one count of a counted outage rule for a new connection; true means "destroy it". */
  takeConnection(): boolean {
    const e = this.entries.find((x) => x.rule.outage && x.rule.times !== undefined && x.left > 0);
    if (!e) return false;
    this.consume(e);
    return true;
  }

  private consume(e: Entry): void {
    e.left--;
    if (e.left <= 0) { this.entries = this.entries.filter((x) => x !== e); this.onChange(); }
  }

  private matches(r: FaultRule, info: RequestInfo): boolean {
    if (r.outage) return false;
    if (r.verb !== undefined && r.verb !== info.verb) return false;
    if (r.resource !== undefined && r.resource !== info.resource) return false;
    if (r.namespace !== undefined && r.namespace !== info.namespace) return false;
    if (r.dropWatch && info.verb !== 'watch') return false;
    return true;
  }

  decide(info: RequestInfo): FaultDecision {
    const d: FaultDecision = { latencyMs: 0 };
    for (const e of [...this.entries]) {
      if (!this.matches(e.rule, info)) continue;
      const hasEffect = e.rule.status !== undefined || e.rule.reset || e.rule.dropWatch;
      if (hasEffect && d.effect) continue;
      d.latencyMs += e.rule.latencyMs ?? 0;
      if (hasEffect) d.effect = e.rule;
      this.consume(e);
    }
    return d;
  }
}
