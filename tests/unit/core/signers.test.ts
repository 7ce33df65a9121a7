import { describe, expect, it } from 'vitest';
import { gpgFingerprints, judgeSigner } from '../../../src/core/signers.js';

const SUB = 'DF4D8E09B92A5DC7BFB8C64255B1F65F2837A5C8';
const PRIMARY = 'AAAA8E09B92A5DC7BFB8C64255B1F65F2837BBBB';
const raw = [
  '[GNUPG:] NEWSIG',
  '[GNUPG:] GOODSIG 55B1F65F2837A5C8 Test <t@example.com>',
  `[GNUPG:] VALIDSIG ${SUB} 2026-12-01 1796137007 0 4 0 22 8 00 ${PRIMARY}`,
  '[GNUPG:] TRUST_ULTIMATE 0 pgp',
].join('\n');

describe('signers', () => {
  it('reads the signing key and primary key fingerprints of VALIDSIG', () => {
    expect(gpgFingerprints(raw)).toEqual([SUB, PRIMARY]);
    expect(gpgFingerprints(`[GNUPG:] VALIDSIG ${SUB.toLowerCase()} 2026-12-01 1 0 4 0 22 8 00`)).toEqual([
      SUB,
    ]);
    expect(gpgFingerprints('[GNUPG:] GOODSIG 55B1F65F2837A5C8 x')).toEqual([]);
  });

  it('accepts a listed primary or subkey fingerprint, refuses any other', () => {
    expect(judgeSigner(raw, { gpg: [PRIMARY] })).toEqual({ ok: true, signer: `gpg ${PRIMARY}` });
    expect(judgeSigner(raw, { gpg: [SUB.toLowerCase()] })).toMatchObject({ ok: true });
    expect(judgeSigner(raw, { gpg: ['0'.repeat(40)] })).toEqual({
      ok: false,
      problem: `signed by OpenPGP key ${SUB}, which is not in agent.allowedSigners.gpg`,
    });
  });

  it('accepts an SSH signature only when an allowed-signers file was given to git', () => {
    const ssh = 'Good "git" signature for release@example.com with ED25519 key SHA256:abc';
    expect(judgeSigner(ssh, { gpg: [], ssh: '/etc/allowed' })).toEqual({
      ok: true,
      signer: 'ssh release@example.com (SHA256:abc)',
    });
    expect(judgeSigner(ssh, { gpg: ['0'.repeat(40)] })).toMatchObject({ ok: false });
    expect(judgeSigner('some x509 output', { gpg: [], ssh: '/f' })).toMatchObject({ ok: false });
  });

  it('reads VALIDSIG only at the start of a status line, with or without more fields', () => {
    // A user id is the key owner's to choose: one naming a VALIDSIG line must not count.
    const forged = `[GNUPG:] GOODSIG 55B1F65F2837A5C8 x [GNUPG:] VALIDSIG ${PRIMARY}`;
    expect(gpgFingerprints(forged)).toEqual([]);
    expect(gpgFingerprints(`[GNUPG:] VALIDSIG ${SUB}`)).toEqual([SUB]);
    expect(gpgFingerprints(`[GNUPG:] VALIDSIG ${SUB} 2026-12-01 1 0 4 0 22 8 00 ${PRIMARY}  `)).toEqual([
      SUB,
      PRIMARY,
    ]);
  });

  it('takes allowed fingerprints written in groups of four, as gpg prints them', () => {
    const grouped = PRIMARY.replace(/(.{4})/g, '$1 ').trim();
    expect(judgeSigner(raw, { gpg: [grouped] })).toEqual({ ok: true, signer: `gpg ${PRIMARY}` });
  });

  it('reads an SSH verdict only from the start of a line, and names what it cannot judge', () => {
    const quoted = 'error: x said Good "git" signature for a@b with ED25519 key SHA256:abc';
    expect(judgeSigner(quoted, { gpg: [], ssh: '/f' })).toEqual({
      ok: false,
      problem: 'the signature is of a kind agent.allowedSigners does not list',
    });
  });
});
