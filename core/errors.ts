/**
 * The one error type domain code throws. `code` is stable (clients branch on it), `message` says what to fix,
 * `status` is the HTTP status an edge answers with.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, status: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = details;
  }

  toBody(): { error: { code: string; message: string; details?: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const notFound = (what: string, id: string | number, code = 'NOT_FOUND') =>
  new AppError(code, 404, `${what} '${id}' does not exist`, { [what.toLowerCase()]: id });
