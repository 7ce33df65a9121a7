/**
 * Whether stdout and stderr are the systemd journal. systemd sets JOURNAL_STREAM to
 * "<device>:<inode>" of the stream it connected (systemd.exec(5)); comparing it with fstat() of
 * each descriptor tells the journal from a pipe or file that merely inherited the variable (the
 * agent started by hand from a shell inside a service, its output redirected).
 */
import { fstatSync } from 'node:fs';

type Fstat = (fd: number) => { dev: bigint; ino: bigint };

const bigintFstat: Fstat = (fd) => fstatSync(fd, { bigint: true });

export function journalStreams(
  env: Record<string, string | undefined>,
  fstat: Fstat = bigintFstat,
): { stdout: boolean; stderr: boolean } {
  const stream = env.JOURNAL_STREAM?.trim();
  if (!stream || !/^\d+:\d+$/.test(stream)) return { stdout: false, stderr: false };
  const is = (fd: number) => {
    try {
      const st = fstat(fd);
      return `${st.dev}:${st.ino}` === stream;
    } catch {
      return false;
    }
  };
  return { stdout: is(1), stderr: is(2) };
}
