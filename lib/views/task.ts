/**
 * The Task of docs/api.md "Tasks", as CloudAPI JSON and as VCD's legacy `Task` XML (what `/api/task/{id}`
 * answers by default).
 */
import type { TaskRow } from '#db/queries/tasks.ts';
import { toUrn, type UrnType } from '#lib/urn.ts';
import { iso } from './common.ts';
import { TASK_STATUS } from '#db/status.ts';

export const VCLOUD_XMLNS = 'http://www.vmware.com/vcloud/v1.5';

export const TASK_MEDIA_TYPE = 'application/vnd.vmware.vcloud.task+xml';

const MEDIA: Record<string, string> = {
  vm: 'application/vnd.vmware.vcloud.vm+xml',
  vapp: 'application/vnd.vmware.vcloud.vApp+xml',
  vdc: 'application/vnd.vmware.vcloud.vdc+xml',
  org: 'application/vnd.vmware.vcloud.org+xml',
  catalog: 'application/vnd.vmware.vcloud.catalog+xml',
  user: 'application/vnd.vmware.admin.user+xml',
};

const PATHS: Record<string, string> = { vm: 'vms', vapp: 'vapps', vdc: 'vdcs', org: 'orgs', catalog: 'catalogs', user: 'users' };

/** Like VCD, a failed task's error carries an HTTP-like major code next to the minor one. */
const MAJOR: Record<string, number> = { BAD_REQUEST: 400, BUSY_ENTITY: 400, DUPLICATE_NAME: 400, ACCESS_TO_RESOURCE_IS_FORBIDDEN: 403, CLUSTER_UNAVAILABLE: 503 };

interface TypedRef { name: string; id: string; type: string; href: string }

function typedRef(base: string, type: string, id: string, name: string): TypedRef {
  const urn = toUrn(type as UrnType, id);
  return { name, id: urn, type: MEDIA[type] ?? `application/vnd.vmware.vcloud.${type}+xml`, href: `${base}/cloudapi/1.0.0/${PATHS[type] ?? type}/${urn}` };
}

/** The task's legacy-API address, also its `href`. */
export function taskHref(base: string, id: string): string {
  return `${base}/api/task/${id}`;
}

/** Renders a task for CloudAPI JSON clients. */
export function taskView(t: TaskRow, base: string) {
  return {
    id: toUrn('task', t.id),
    href: taskHref(base, t.id),
    type: TASK_MEDIA_TYPE,
    name: 'task',
    operationName: t.operationName,
    operation: t.operation,
    status: t.status,
    startTime: iso(t.startTime),
    endTime: iso(t.endTime),
    progress: t.progress,
    owner: typedRef(base, t.ownerType, t.ownerId, t.ownerName),
    user: typedRef(base, 'user', t.userId, t.userName),
    organization: typedRef(base, 'org', t.orgId, t.orgName),
    ...(t.status === TASK_STATUS.error && { error: { minorErrorCode: t.errorCode ?? 'INTERNAL_SERVER_ERROR', message: t.errorMessage ?? '' } }),
  };
}

/**
 * Escapes an attribute value: markup characters, whitespace that attribute normalisation would
 * flatten, and characters XML 1.0 forbids (dropped: task messages may quote cluster text).
 */
export function xmlAttr(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/[&<>"'\n\r\t]/g, (ch) => ESCAPES[ch]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

function attrs(pairs: [string, string | number | null][]): string {
  return pairs.filter(([, v]) => v !== null).map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`).join('');
}

function refElement(tag: string, r: TypedRef): string {
  return `  <${tag}${attrs([['type', r.type], ['name', r.name], ['href', r.href], ['id', r.id]])}/>`;
}

/** Renders VCD's `Task` document (child order as in the vCloud schema: Owner, Error, User, Organization, Progress). */
export function taskXml(t: TaskRow, base: string): string {
  const v = taskView(t, base);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Task xmlns="${VCLOUD_XMLNS}"${attrs([
      ['status', v.status], ['startTime', v.startTime], ['endTime', v.endTime], ['operationName', v.operationName],
      ['operation', v.operation], ['cancelRequested', 'false'], ['name', 'task'], ['id', v.id], ['href', v.href], ['type', v.type],
    ])}>`,
    refElement('Owner', v.owner),
  ];
  if (v.error) {
    lines.push(`  <Error${attrs([['minorErrorCode', v.error.minorErrorCode], ['majorErrorCode', MAJOR[v.error.minorErrorCode] ?? 500], ['message', v.error.message]])}/>`);
  }
  lines.push(refElement('User', v.user), refElement('Organization', v.organization), `  <Progress>${v.progress}</Progress>`, '</Task>');
  return lines.join('\n') + '\n';
}
