/**
 * What a route table is to its users: an id per route (its operationId), a method and a path template with
 * `{param}` segments. The dialer's API and control API are two such tables; the simulator binds handlers to them, and
 * Omni's client, the journal, the fault rules, the scenario runner and the load scripts name routes by id.
 */
export type RouteRow = { readonly operationId: string; readonly method: string; readonly path: string };

/** `{name}` segments of a path template, in order. */
export const templateParams = (template: string): string[] => [...template.matchAll(/\{([^}/]+)\}/g)].map((m) => m[1]!);

/** A path from its template: each `{name}` replaced by the value given, percent-encoded as one segment. */
export function expandPath(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{([^}/]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '')
      throw new RangeError(`path ${template} needs the parameter '${name}'`);
    return encodeURIComponent(String(value));
  });
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression matching the paths of a template (under `base`): each `{param}` is one non-empty segment. */
export function templateRegex(template: string, base = ''): RegExp {
  const parts = `${base}${template}`.split(/(\{[^}/]+\})/);
  return new RegExp(`^${parts.map((p) => (p.startsWith('{') ? '[^/]+' : escapeRegex(p))).join('')}$`);
}

/**
 * Finds the route of a request (method + full path, e.g. `POST /api/v1/calls/c-1/disposition`) in a table mounted at
 * `base`. A literal segment wins over a parameter (`/agents/login` over `/agents/{dialerUser}`), as in the router.
 */
export function routeMatcher<Id extends string>(
  table: Readonly<Record<Id, RouteRow>>,
  base: string,
): (method: string, path: string) => Id | undefined {
  const rows = (Object.entries(table) as Array<[Id, RouteRow]>)
    .map(([id, r]) => ({
      id,
      method: r.method.toUpperCase(),
      re: templateRegex(r.path, base),
      params: templateParams(r.path).length,
    }))
    .sort((a, b) => a.params - b.params);
  return (method, path) => {
    const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    return rows.find((r) => r.method === m && r.re.test(path))?.id;
  };
}
