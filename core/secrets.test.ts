import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secrets.ts';

describe('SecretBox', () => {
  it('round-trips a secret and never stores it in clear', () => {
    const box = SecretBox.ephemeral();
    const sealed = box.seal('senha-do-discador');
    expect(sealed).not.toContain('senha');
    expect(box.open(sealed)).toBe('senha-do-discador');
  });

  it('refuses ciphertext that was tampered with', () => {
    const box = SecretBox.ephemeral();
    const sealed = box.seal('x');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(`v1:${raw.toString('base64')}`)).toThrow();
  });

  it('keeps its key in a 0600 file and reads the same key back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dsh-key-')), 'secret.key');
    const sealed = SecretBox.fromKeyFile(file).seal('abc');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(SecretBox.fromKeyFile(file).open(sealed)).toBe('abc');
  });
});
