/**
 * Finds which route of a table a request is for, by method and path: each path template split into segments once,
 * `{param}` (OpenAPI) or `:param` (Hono) matching any one non-empty segment, a literal segment winning over a parameter
 * (`/agents/login` over `/agents/{dialerUser}`), as routers decide. It runs on every request (the journal, the fault
 * rules, authentication), so a request costs one split and a few string comparisons, not a regex per route.
 */
export type RouteTemplate<Id> = { id: Id; method: string; path: string };

const isParam = (segment: string) => /^\{[^}/]+\}$/.test(segment) || /^:[^/]+$/.test(segment);

export function compileRouteMatcher<Id>(
  routes: Iterable<RouteTemplate<Id>>,
  base = '',
): (method: string, path: string) => Id | undefined {
  const byShape = new Map<string, Array<{ id: Id; segments: Array<string | null>; params: number }>>();
  for (const r of routes) {
    const segments = `${base}${r.path}`.split('/').map((s) => (isParam(s) ? null : s));
    const key = `${r.method.toUpperCase()} ${segments.length}`;
    const list = byShape.get(key) ?? [];
    list.push({ id: r.id, segments, params: segments.filter((s) => s === null).length });
    byShape.set(key, list);
  }
  for (const list of byShape.values()) list.sort((a, b) => a.params - b.params);
  // One request asks several times in a row (journal, faults, authentication): the last answer is kept.
  let last: { method: string; path: string; id: Id | undefined } | undefined;
  return (method, path) => {
    if (last && last.method === method && last.path === path) return last.id;
    const id = find(method, path);
    last = { method, path, id };
    return id;
  };

  function find(method: string, path: string): Id | undefined {
    const m = method.toUpperCase();
    const parts = path.split('/');
    const list = byShape.get(`${m === 'HEAD' ? 'GET' : m} ${parts.length}`);
    if (!list) return undefined;
    for (const r of list) {
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const s = r.segments[i];
        if (s === null ? parts[i] === '' : s !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (ok) return r.id;
    }
    return undefined;
  }
}
