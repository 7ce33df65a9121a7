/**
 * Who signed a commit, from `git verify-commit --raw` output, judged against the host's
 * allow-list (agent.allowedSigners): a good signature from "any key in the keyring" is not enough,
 * since anyone can add a key there by importing it.
 */
export interface AllowedSigners {
  /** OpenPGP fingerprints (40 hex digits) of the primary key or the signing subkey. */
  gpg: string[];
  /** An ssh allowed-signers file (ssh-keygen(1) ALLOWED SIGNERS); git checks SSH signatures against it. */
  ssh?: string | undefined;
}

export type SignerVerdict = { ok: true; signer: string } | { ok: false; problem: string };

/** Fingerprints a VALIDSIG status line names: the signing key and, when given, its primary key. */
export function gpgFingerprints(raw: string): string[] {
  const out: string[] = [];
  for (const m of raw.matchAll(
    /^\[GNUPG:\] VALIDSIG ([0-9A-Fa-f]{40})(?: .*?)?(?: ([0-9A-Fa-f]{40}))?\s*$/gm,
  ))
    out.push(...[m[1], m[2]].filter((f): f is string => f !== undefined).map((f) => f.toUpperCase()));
  return [...new Set(out)];
}

/** Judge a verify-commit run that exited 0 (git found a good signature). */
export function judgeSigner(raw: string, allowed: AllowedSigners): SignerVerdict {
  const fingerprints = gpgFingerprints(raw);
  if (fingerprints.length > 0) {
    const wanted = new Set(allowed.gpg.map((f) => f.replace(/\s+/g, '').toUpperCase()));
    const hit = fingerprints.find((f) => wanted.has(f));
    return hit
      ? { ok: true, signer: `gpg ${hit}` }
      : {
          ok: false,
          problem: `signed by OpenPGP key ${fingerprints[0]}, which is not in agent.allowedSigners.gpg`,
        };
  }
  // git verified an SSH signature only against the allowed-signers file it was given.
  const ssh = /^Good "git" signature for (.+?) with (\S+) key (\S+)/m.exec(raw);
  if (ssh && allowed.ssh) return { ok: true, signer: `ssh ${ssh[1]} (${ssh[3]})` };
  return { ok: false, problem: 'the signature is of a kind agent.allowedSigners does not list' };
}
