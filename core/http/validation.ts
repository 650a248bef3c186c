import { OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Context, Env } from 'hono';
import { AppError } from '../../core/errors.ts';

/** One zod issue as clients see it: where (`body.match.path`), what went wrong, zod's issue code. */
export type ValidationIssue = { path: string; message: string; code: string };

type Issue = Pick<z.core.$ZodIssue, 'path' | 'message' | 'code'>;

const TARGET_NAMES: Record<string, string> = { json: 'body', form: 'body', param: 'path', query: 'query' };

export function toValidationIssues(issues: readonly Issue[], target?: string): ValidationIssue[] {
  const root = target ? (TARGET_NAMES[target] ?? target) : undefined;
  return issues.map((i) => ({
    path: [...(root ? [root] : []), ...i.path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p)))].join('.'),
    message: i.message,
    code: i.code,
  }));
}

/** The 422 every validation failure becomes: `{ error: { code: 'VALIDATION_FAILED', message, details: { issues } } }`. */
export function validationError(issues: readonly Issue[], target?: string): AppError {
  const list = toValidationIssues(issues, target);
  const first = list[0];
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
  const message = first ? `${first.path || 'input'}: ${first.message}${more}` : 'invalid input';
  return new AppError('VALIDATION_FAILED', 422, message, { issues: list });
}

type HookResult = { target: string } & ({ success: true } | { success: false; error: { issues: readonly Issue[] } });

/**
 * `defaultHook` for OpenAPIHono: zod failures on any target (body, path params, query) answer 422 with the shared
 * error body; on success it returns nothing and the handler runs.
 * Use: `new OpenAPIHono({ defaultHook })` or `openApiApp()`.
 */
export function defaultHook<E extends Env>(result: HookResult, c: Context<E>): Response | undefined {
  if (result.success) return undefined;
  return c.json(validationError(result.error.issues, result.target).toBody(), 422);
}

/**
 * A JSON body a route may leave out: an empty body reads as `{}`; one that is there must parse and match `schema`
 * (400 MALFORMED_JSON, 422 VALIDATION_FAILED otherwise, as for a required body).
 */
export async function optionalJsonBody<S extends z.ZodType>(
  c: { req: { text(): Promise<string> } },
  schema: S,
): Promise<z.output<S>> {
  const text = await c.req.text();
  const parsed = schema.safeParse(text.trim() === '' ? {} : JSON.parse(text));
  if (!parsed.success) throw validationError(parsed.error.issues, 'json');
  return parsed.data;
}

/** An OpenAPIHono whose routes answer validation failures with the shared 422 body. */
export const openApiApp = <E extends Env = Env>() => new OpenAPIHono<E>({ defaultHook });
