/**
 * VCD URNs: `urn:vcloud:<type>:<uuid>`. Ids are stored as bare UUIDs.
 */
export type UrnType = 'org' | 'vdc' | 'user' | 'role' | 'session' | 'catalog' | 'catalogitem' | 'vapp' | 'vm' | 'task';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Builds the URN of an entity id. */
export function toUrn(type: UrnType, id: string): string {
  return `urn:vcloud:${type}:${id}`;
}

/** Parses a URN (or a bare UUID) of the given type; undefined when malformed. */
export function parseUrn(type: UrnType, value: string): string | undefined {
  let v = value;
  if (v.includes('%')) {
    try { v = decodeURIComponent(v); } catch { return undefined; }
  }
  const prefix = `urn:vcloud:${type}:`;
  if (v.toLowerCase().startsWith(prefix)) v = v.slice(prefix.length);
  return UUID.test(v) ? v.toLowerCase() : undefined;
}

/** Whether a string is a bare UUID. */
export function isUuid(v: string): boolean {
  return UUID.test(v);
}
