/**
 * The Table form of lists and objects (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), what
 * kubectl asks for by default: per-resource columns like the real server's printers and the CRDs'
 * additionalPrinterColumns, and each row's object as PartialObjectMetadata.
 */
import type { ResourceDef } from './resources.ts';
import { normaliseMeta, type Obj } from './serialize.ts';

interface Column { name: string; type: string; format: string; description: string; cell: (o: Obj) => unknown }

const NAME_DESC = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const crdCol = (name: string, type: string, path: string, cell: (o: Obj) => unknown): Column =>
  ({ name, type, format: '', description: `Custom resource definition column (in JSONPath format): ${path}`, cell });
const col = (name: string, type: string, description: string, cell: (o: Obj) => unknown): Column => ({ name, type, format: '', description, cell });
const ageCol = (def: ResourceDef): Column => (def.crd
  ? crdCol('Age', 'date', '.metadata.creationTimestamp', (o) => age(o.metadata.creationTimestamp))
  : col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.', (o) => age(o.metadata.creationTimestamp)));
const condition = (o: Obj, type: string) => (o.status?.conditions ?? []).find((c: Obj) => c.type === type)?.status ?? null;

function columns(def: ResourceDef): Column[] {
  const name: Column = { name: 'Name', type: 'string', format: 'name', description: NAME_DESC, cell: (o) => o.metadata.name };
  switch (def.kind) {
    case 'VirtualMachine':
      return [name, ageCol(def), crdCol('Status', 'string', '.status.printableStatus', (o) => o.status?.printableStatus ?? null),
        crdCol('Ready', 'string', ".status.conditions[?(@.type=='Ready')].status", (o) => condition(o, 'Ready'))];
    case 'VirtualMachineInstance':
      return [name, ageCol(def), crdCol('Phase', 'string', '.status.phase', (o) => o.status?.phase ?? null),
        crdCol('IP', 'string', '.status.interfaces[0].ipAddress', (o) => o.status?.interfaces?.[0]?.ipAddress ?? null),
        crdCol('NodeName', 'string', '.status.nodeName', (o) => o.status?.nodeName ?? null),
        crdCol('Ready', 'string', ".status.conditions[?(@.type=='Ready')].status", (o) => condition(o, 'Ready'))];
    case 'Namespace':
      return [name, col('Status', 'string', 'The status of the namespace', (o) => o.status?.phase ?? ''), ageCol(def)];
    case 'Secret':
      return [name, col('Type', 'string', 'The type of the secret', (o) => o.type ?? ''),
        col('Data', 'string', 'The number of entries in the secret', (o) => Object.keys(o.data ?? {}).length), ageCol(def)];
    default:
      return [name, ageCol(def)];
  }
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}

export function table(def: ResourceDef, objects: Iterable<Obj>, listMeta: Obj): Obj {
  const cols = columns(def);
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta,
    columnDefinitions: cols.map(({ cell: _c, ...d }) => ({ ...d, priority: 0 })),
    rows: [...objects].map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: normaliseMeta({ ...o.metadata }) },
    })),
  };
}
