/** The dialer answers errors with the shared error body. */
export { ErrorBody } from '../core/http/error-body.ts';
