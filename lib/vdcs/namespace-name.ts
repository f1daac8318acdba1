/**
 * The namespace name of a VDC (docs/kubernetes.md "Namespace name"): `vdc-<org>-<vdc>` as a DNS-1123
 * label, chosen once at creation and never changed (renames touch labels and annotations only).
 * Pure, so the later cluster integration can pass an `isTaken` that also asks the cluster about
 * existing (e.g. still terminating) namespaces.
 */

const MAX = 63;
const PREFIX = 'vdc';
/** Safety stop for an `isTaken` that never says no; far beyond any real collision chain. */
const MAX_ATTEMPTS = 10_000;

/**
 * One name part in namespace form: lower-cased, `_` and whitespace → `-`, everything else outside
 * `[a-z0-9-]` dropped (accented and non-Latin letters included: the spec says dropped, not
 * transliterated), runs of `-` collapsed, leading and trailing `-` trimmed. May be empty.
 */
export function namespacePart(s: string): string {
  return s
    .toLowerCase()
    .replace(/[_\s]/g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Cuts a sanitised string to `max` characters without leaving a trailing `-`. */
function cut(s: string, max: number): string {
  return s.slice(0, max).replace(/-+$/, '');
}

/**
 * `vdc-<org>-<vdc>` within 63 characters. When both parts do not fit, each keeps at least half of
 * the room (the shorter one keeps all of it), so neither the org nor the VDC disappears from the
 * name. A part that is empty after sanitising is left out (`vdc-<vdc>`, `vdc-<org>`, `vdc`).
 */
export function baseNamespaceName(orgName: string, vdcName: string): string {
  let org = namespacePart(orgName);
  let vdc = namespacePart(vdcName);
  const room = MAX - PREFIX.length - 1; // after "vdc-"
  if (org && vdc) {
    const both = room - 1; // one "-" between the parts
    if (org.length + vdc.length > both) {
      const half = Math.floor(both / 2);
      const orgRoom = org.length <= half ? org.length : vdc.length <= both - half ? both - vdc.length : half;
      org = cut(org, orgRoom);
      vdc = cut(vdc, both - org.length);
    }
  } else {
    org = cut(org, room);
    vdc = cut(vdc, room);
  }
  return [PREFIX, org, vdc].filter(Boolean).join('-');
}

/**
 * The namespace name for a new VDC: the base name, or on a collision the base with `-2`, `-3`, …
 * (the base shortened as needed so the whole stays a 63-character DNS-1123 label).
 * `isTaken` says whether a name is already used (by a VDC row, and later also by the cluster).
 */
export function vdcNamespaceName(orgName: string, vdcName: string, isTaken: (name: string) => boolean): string {
  const base = baseNamespaceName(orgName, vdcName);
  if (!isTaken(base)) return base;
  for (let n = 2; n <= MAX_ATTEMPTS; n++) {
    const suffix = `-${n}`;
    const name = cut(base, MAX - suffix.length) + suffix;
    if (!isTaken(name)) return name;
  }
  throw new Error(`no free namespace name for '${base}' after ${MAX_ATTEMPTS} attempts`);
}
