import { AppError } from '../../core/errors.ts';

/**
 * Reads a request body of at most `max` bytes: 413 BODY_TOO_LARGE (with `details.maxBytes`) as soon as a declared
 * Content-Length or the bytes read pass the limit, so an oversized upload is never held in memory whole.
 */
export async function readLimited(req: Request, max: number, what: string): Promise<Buffer> {
  const tooLarge = () =>
    new AppError('BODY_TOO_LARGE', 413, `the ${what} is larger than ${max} bytes; send at most ${max} bytes`, {
      maxBytes: max,
    });
  if (Number(req.headers.get('content-length') ?? '0') > max) throw tooLarge();
  if (!req.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
