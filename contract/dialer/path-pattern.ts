import { z } from '@hono/zod-openapi';

// Path patterns shared by fault rules and journal filters. A pattern is either an exact path or a path whose
// segments may be `*`:
// - `*` in the middle matches exactly one non-empty segment: `/api/v1/calls/*/disposition`;
// - `*` as the last segment matches the path before it and anything below, like Hono's `app.use('/api/*')`:
//   `/api/v1/*` matches `/api/v1`, `/api/v1/` and `/api/v1/calls/42`, never `/api/v10`; `/*` matches every path.
// Only whole segments are wildcards (`/calls*` is rejected) and patterns never contain a query string.

export type PathMatcher = (path: string) => boolean;

/** Why a pattern is unusable, or undefined when it is fine. */
export function pathPatternProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return 'a path pattern starts with /';
  if (/[?#]/.test(pattern)) return 'a path pattern matches the path only, without ? or #';
  if (pattern.split('/').some((s) => s.includes('*') && s !== '*')) return '* must be a whole path segment';
  return undefined;
}

const segmentMatches = (pattern: string, segment: string) => (pattern === '*' ? segment !== '' : pattern === segment);

export function compilePathPattern(pattern: string): PathMatcher {
  const problem = pathPatternProblem(pattern);
  if (problem) throw new RangeError(`invalid path pattern '${pattern}': ${problem}`);
  if (!pattern.includes('*')) return (path) => path === pattern;
  const segments = pattern.split('/');
  const rest = segments[segments.length - 1] === '*';
  const fixed = rest ? segments.slice(0, -1) : segments;
  return (path) => {
    const parts = path.split('/');
    if (rest ? parts.length < fixed.length : parts.length !== fixed.length) return false;
    return fixed.every((s, i) => segmentMatches(s, parts[i]!));
  };
}

export function matchesPath(pattern: string, path: string): boolean {
  return compilePathPattern(pattern)(path);
}

export const PathPattern = z
  .string()
  .min(1)
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = pathPatternProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({
    description: 'an exact path, or one with `*` segments (one segment) or a trailing `*` (the rest)',
    example: '/api/v1/calls/*/disposition',
  });
