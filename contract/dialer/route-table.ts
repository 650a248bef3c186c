import { compileRouteMatcher } from '../../core/http/route-match.ts';

/**
 * What a route table is to its users: an id per route (its operationId), a method and a path template with
 * `{param}` segments. The dialer's API and control API are two such tables; the simulator binds handlers to them, and
 * Omni's client, the journal, the fault rules, the scenario runner and the load scripts name routes by id.
 */
export type RouteRow = { readonly operationId: string; readonly method: string; readonly path: string };

/** A path from its template: each `{name}` replaced by the value given, percent-encoded as one segment. */
export function expandPath(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{([^}/]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '')
      throw new RangeError(`path ${template} needs the parameter '${name}'`);
    return encodeURIComponent(String(value));
  });
}

/**
 * Finds the route of a request (method + full path, e.g. `POST /api/v1/calls/c-1/disposition`) in a table mounted at
 * `base`. A literal segment wins over a parameter (`/agents/login` over `/agents/{dialerUser}`), as in the router.
 */
export function routeMatcher<Id extends string>(
  table: Readonly<Record<Id, RouteRow>>,
  base: string,
): (method: string, path: string) => Id | undefined {
  return compileRouteMatcher(
    (Object.entries(table) as Array<[Id, RouteRow]>).map(([id, r]) => ({ id, method: r.method, path: r.path })),
    base,
  );
}
