/**
 * OpenShift template parameters as the catalog and the boot-source checks read them: the defaults
 * a Template declares, and `${P}` / `${{P}}` references filled from a set of values.
 */

type Obj = Record<string, any>;

/** The parameters of a Template that declare a value, by name. */
export function parameterDefaults(template: Obj): Map<string, string> {
  const params: Obj[] = Array.isArray(template.parameters) ? template.parameters : [];
  return new Map(params.filter((p) => p?.name && p.value !== undefined).map((p) => [String(p.name), String(p.value)]));
}

/**
 * A value with `${P}` (and `${{P}}`) filled from `values`, anywhere in it as OpenShift does;
 * undefined when it is absent or uses a parameter without a value (generated or caller-supplied).
 */
export function substitute(v: unknown, values: ReadonlyMap<string, string>): string | undefined {
  if (v === undefined || v === null) return undefined;
  let missing = false;
  const out = String(v).replace(/\$\{\{?([A-Za-z0-9_]+)\}?\}/g, (_, name: string) => {
    const d = values.get(name);
    if (d === undefined) missing = true;
    return d ?? '';
  });
  return missing ? undefined : out.trim();
}
