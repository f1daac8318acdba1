/**
 * Label selectors (equality and set syntax) and field selectors, parsed the way the apiserver's
 * parser does so the same inputs are rejected with the same 400 messages.
 */
import { errors } from './errors.ts';
import type { Obj } from './serialize.ts';

type Op = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | '!exists' | 'gt' | 'lt';
interface Requirement { key: string; op: Op; values: string[] }
export type LabelSelector = Requirement[];

type Tok = { t: 'id' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | '>' | '<' | 'end'; v: string };

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n') { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ t: c, v: c }); i++; continue; }
    if (c === '!') {
      if (s[i + 1] === '=') { out.push({ t: '!=', v: '!=' }); i += 2; } else { out.push({ t: '!', v: '!' }); i++; }
      continue;
    }
    if (c === '=') {
      if (s[i + 1] === '=') { out.push({ t: '==', v: '==' }); i += 2; } else { out.push({ t: '=', v: '=' }); i++; }
      continue;
    }
    if (c === '>' || c === '<') { out.push({ t: c, v: c }); i++; continue; }
    let j = i;
    while (j < s.length && !' \t\n(),!=<>'.includes(s[j]!)) j++;
    const word = s.slice(i, j);
    out.push({ t: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'id', v: word });
    i = j;
  }
  out.push({ t: 'end', v: '' });
  return out;
}

const fail = (found: string, expected: string) =>
  errors.badRequest(`unable to parse requirement: found '${found}', expected: ${expected}`);

const keyRe = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(k: string): void {
  if (!keyRe.test(k) || k.split('/').pop()!.length > 63) {
    throw errors.badRequest(`unable to parse requirement: <nil>: Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
  }
}
function checkValue(v: string): void {
  if (!valueRe.test(v) || v.length > 63) {
    throw errors.badRequest(`unable to parse requirement: values[0]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
  }
}

export function parseLabelSelector(s: string | null | undefined): LabelSelector | undefined {
  if (s == null || s.trim() === '') return undefined;
  const toks = lex(s);
  let p = 0;
  const reqs: Requirement[] = [];
  const peek = () => toks[p]!;
  const next = () => toks[p++]!;
  for (;;) {
    let tok = next();
    if (tok.t === '!') {
      const k = next();
      if (k.t !== 'id') throw fail(k.v, 'identifier');
      checkKey(k.v);
      reqs.push({ key: k.v, op: '!exists', values: [] });
    } else if (tok.t === 'id') {
      const key = tok.v;
      checkKey(key);
      const op = peek();
      if (op.t === ',' || op.t === 'end') {
        reqs.push({ key, op: 'exists', values: [] });
      } else if (op.t === '=' || op.t === '==' || op.t === '!=') {
        next();
        const v = peek();
        let value = '';
        if (v.t === 'id') { next(); value = v.v; } else if (v.t !== ',' && v.t !== 'end') throw fail(v.v, 'identifier');
        checkValue(value);
        reqs.push({ key, op: op.t === '!=' ? 'neq' : 'eq', values: [value] });
      } else if (op.t === 'in' || op.t === 'notin') {
        next();
        const open = next();
        if (open.t !== '(') throw fail(open.v, "'('");
        const values: string[] = [];
        for (;;) {
          tok = peek();
          if (tok.t === 'id') { next(); checkValue(tok.v); values.push(tok.v); tok = peek(); }
          else if (tok.t === ',' || tok.t === ')') values.push('');
          if (tok.t === ')') { next(); break; }
          if (tok.t === ',') { next(); continue; }
          throw fail(tok.v, "',' or ')'");
        }
        reqs.push({ key, op: op.t, values });
      } else if (op.t === '>' || op.t === '<') {
        next();
        const v = next();
        if (v.t !== 'id' || !/^-?\d+$/.test(v.v)) throw fail(v.v, 'integer');
        reqs.push({ key, op: op.t === '>' ? 'gt' : 'lt', values: [v.v] });
      } else {
        throw fail(op.v, 'in, notin, =, ==, !=, gt, lt');
      }
    } else {
      throw fail(tok.v, 'identifier');
    }
    const sep = next();
    if (sep.t === 'end') break;
    if (sep.t !== ',') throw fail(sep.v, "','");
  }
  return reqs;
}

export function matchLabels(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return true;
  const l = labels ?? {};
  for (const r of sel) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq': if (!has || v !== r.values[0]) return false; break;
      case 'neq': if (has && v === r.values[0]) return false; break;
      case 'in': if (!has || !r.values.includes(v!)) return false; break;
      case 'notin': if (has && r.values.includes(v!)) return false; break;
      case 'exists': if (!has) return false; break;
      case '!exists': if (has) return false; break;
      case 'gt': if (!has || !(Number(v) > Number(r.values[0]))) return false; break;
      case 'lt': if (!has || !(Number(v) < Number(r.values[0]))) return false; break;
    }
  }
  return true;
}

interface FieldReq { field: string; neq: boolean; value: string }
export type FieldSelector = FieldReq[];

export function parseFieldSelector(s: string | null | undefined, allowed: string[]): FieldSelector | undefined {
  if (s == null || s.trim() === '') return undefined;
  const out: FieldReq[] = [];
  for (const part of s.split(',')) {
    const m = /^\s*([^!=\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const field = m[1]!;
    if (!allowed.includes(field)) throw errors.badRequest(`field label not supported: ${field}`);
    out.push({ field, neq: m[2] === '!=', value: m[3]! });
  }
  return out;
}

function fieldValue(o: Obj, path: string): string {
  let cur: any = o;
  for (const p of path.split('.')) cur = cur?.[p];
  return cur == null ? '' : String(cur);
}

export function matchFields(sel: FieldSelector | undefined, o: Obj): boolean {
  if (!sel) return true;
  for (const r of sel) {
    const v = fieldValue(o, r.field);
    if (r.neq ? v === r.value : v !== r.value) return false;
  }
  return true;
}
