import type { z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';

type Issue = { path: readonly PropertyKey[]; message: string; code: string };

/** `users[2].dialerUser`: how a path inside a document reads. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** The shared 422 for zod failures, with paths as `prefix.a[1].b`. */
export function invalid(issues: readonly Issue[], prefix = ''): AppError {
  const list = issues.map((i) => ({ path: formatPath(i.path, prefix), message: i.message, code: i.code }));
  const first = list[0];
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
  const message = first ? `${first.path || 'input'}: ${first.message}${more}` : 'invalid input';
  return new AppError('VALIDATION_FAILED', 422, message, { issues: list });
}

/**
 * Parses with a schema or throws the shared 422, so that callers that are not routes (bootstrap, import, tests) get
 * the same answers as HTTP ones.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(r.error.issues, prefix);
  return r.data;
}
