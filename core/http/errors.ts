import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, isAppError } from '../errors.ts';
import type { Logger } from '../log.ts';

// Hono's validator throws HTTPException for bodies it cannot read, before zod sees them.
const HTTP_EXCEPTION_CODES: Record<number, string> = {
  400: 'MALFORMED_JSON',
  401: 'UNAUTHORIZED',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Turns thrown errors into the shared error body; unexpected ones are logged and answered 500 without details. */
export const errorHandler =
  (log: Logger): ErrorHandler =>
  (err, c) => {
    if (isAppError(err)) return c.json(err.toBody(), err.status as 400);
    if (err instanceof HTTPException) {
      const code = HTTP_EXCEPTION_CODES[err.status] ?? 'HTTP_ERROR';
      const message =
        code === 'MALFORMED_JSON'
          ? `the body is not valid JSON (${err.message}); send a JSON object with content-type application/json`
          : err.message || 'request refused';
      return c.json(new AppError(code, err.status, message).toBody(), err.status);
    }
    if (err instanceof SyntaxError)
      return c.json(new AppError('MALFORMED_JSON', 400, `the body is not valid JSON: ${err.message}`).toBody(), 400);
    log.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(new AppError('INTERNAL', 500, 'internal error; see the server log').toBody(), 500);
  };

export const notFoundHandler = (c: Context) =>
  c.json(
    new AppError('ROUTE_NOT_FOUND', 404, `no route ${c.req.method} ${c.req.path}; see /openapi.json`).toBody(),
    404,
  );
