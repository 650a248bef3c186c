import { AppError } from '../../core/errors.ts';

/** The length of `b` up to its last complete UTF-8 sequence (a sequence cut by the chunk's end waits for the next). */
function completeLength(b: Uint8Array): number {
  const n = b.length;
  for (let i = n - 1; i >= Math.max(0, n - 3); i--) {
    const x = b[i]!;
    if (x < 0x80) return n;
    if (x >= 0xc0) {
      const need = x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : 2;
      return n - i >= need ? n : i;
    }
  }
  return n;
}

const NON_ASCII = /[\u0080-\u{10FFFF}]/u;
/** A character other than ASCII and U+FFFD (what a lenient UTF-8 decoder gives for a byte that is not UTF-8). */
const NON_ASCII_DECODED = /[\u0080-\uFFFC\uFFFE-\u{10FFFF}]/u;

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/**
 * A mailing's bytes to text, chunk by chunk: UTF-8 (a BOM is kept for the CSV parser to drop), or Windows-1252 (what
 * Excel's plain "CSV" writes on a pt-BR Windows) from the first byte that is not UTF-8 when nothing before it was
 * anything but ASCII, which both read alike. A file whose UTF-8 accents come before such a byte mixes two encodings
 * and is refused, saying how to save it.
 */
export class MailingDecoder {
  #utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  #latin = new TextDecoder('windows-1252');
  #lenient = new TextDecoder('utf-8', { ignoreBOM: true });
  #carry: Uint8Array = new Uint8Array(0);
  #windows1252 = false;
  #nonAscii = false;

  write(chunk: Uint8Array): string {
    if (this.#windows1252) return this.#latin.decode(chunk);
    const bytes = concat(this.#carry, chunk);
    const cut = completeLength(bytes);
    this.#carry = bytes.slice(cut);
    try {
      const text = this.#utf8.decode(bytes.subarray(0, cut));
      if (!this.#nonAscii && NON_ASCII.test(text)) this.#nonAscii = true;
      return text;
    } catch {
      return this.#toWindows1252(bytes);
    }
  }

  /** What is left at the end: a UTF-8 sequence the file cut short means it was not UTF-8. */
  end(): string {
    if (this.#windows1252 || this.#carry.length === 0) return '';
    return this.#toWindows1252(this.#carry);
  }

  #toWindows1252(bytes: Uint8Array): string {
    // UTF-8 accents earlier in the file, or in this chunk before the stray byte (Windows-1252 pt-BR text almost
    // never forms a valid UTF-8 sequence by chance: 'ção' is E7 E3 6F).
    const mixed = this.#nonAscii || NON_ASCII_DECODED.test(this.#lenient.decode(bytes));
    if (mixed) {
      const message =
        'the file mixes UTF-8 accents with bytes of another encoding: save it again as "CSV UTF-8" and import that';
      throw new AppError('MAILING_INVALID', 422, `mailing not imported: ${message}`, {
        errors: [{ line: 0, field: 'file', message }],
        errorCount: 1,
      });
    }
    this.#windows1252 = true;
    this.#carry = new Uint8Array(0);
    return this.#latin.decode(bytes);
  }
}
