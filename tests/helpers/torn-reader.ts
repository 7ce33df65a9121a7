/**
 * A reader process that reads files in a tight loop while another process writes them, the way a
 * pipeline reading its pointer files would. Each `exact` file must read as one of its allowed
 * contents (never empty, missing, half-written or a mix of two versions) and, once it read as a
 * later version, never as an earlier one again; each `json` file, when present, must parse.
 */
import { spawn } from 'node:child_process';

export interface ReaderReport {
  reads: number;
  /** Reads that broke the rules, first few only: `<path>: <what was read>`. */
  violations: string[];
  violationCount: number;
}

const SCRIPT = `
const fs = require('fs');
const { exact, json } = JSON.parse(process.argv[1]);
const report = { reads: 0, violations: [], violationCount: 0 };
const latest = exact.map(() => 0);
const bad = (path, what) => {
  report.violationCount++;
  if (report.violations.length < 5) report.violations.push(path + ': ' + what);
};
const read = (path) => {
  try { return fs.readFileSync(path, 'utf8'); } catch (e) { return e.code === 'ENOENT' ? null : '<' + e.code + '>'; }
};
let stopped = false;
process.stdin.on('end', () => (stopped = true));
process.stdin.resume();
(async () => {
  let burst = Date.now();
  while (!stopped) {
    for (let k = 0; k < 256; k++) {
      exact.forEach((f, i) => {
        const text = read(f.path);
        const version = text === null ? -1 : f.allowed.indexOf(text);
        report.reads++;
        if (version < 0) bad(f.path, JSON.stringify(text === null ? 'missing' : text.slice(0, 80)));
        else if (version < latest[i]) bad(f.path, 'went back to version ' + version + ' after ' + latest[i]);
        else latest[i] = version;
      });
      for (const path of json) {
        const text = read(path);
        report.reads++;
        if (text === null) continue;
        try { JSON.parse(text); } catch { bad(path, 'not JSON: ' + JSON.stringify(text.slice(0, 80))); }
      }
    }
    // Half the time reading, half yielding: the writer and the rest of the suite need the CPU too.
    const spent = Date.now() - burst;
    await new Promise((r) => setTimeout(r, Math.max(1, spent)));
    burst = Date.now();
  }
  process.stdout.write(JSON.stringify(report));
})();
`;

/** Start reading; stop() ends the loop and returns what was seen. */
export function startReader(
  exact: { path: string; allowed: string[] }[],
  json: string[] = [],
): { stop(): Promise<ReaderReport> } {
  const child = spawn(process.execPath, ['-e', SCRIPT, JSON.stringify({ exact, json })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const done = new Promise<ReaderReport>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as ReaderReport) : reject(new Error(`reader exited ${code}`)),
    );
  });
  return {
    stop() {
      child.stdin.end();
      return done;
    },
  };
}
