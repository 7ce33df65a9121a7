/**
 * All-or-nothing replacement of several files, with an intent journal:
 *   1. stage every new file as a fsynced temp file beside its destination;
 *   2. write intent.json atomically: the files, their contents, and the record to finish with;
 *      from this instant the set is committed;
 *   3. rename every temp file over its destination (fsync of each directory);
 *   4. finish (state, journal, manifest: the caller's idempotent step), then remove intent.json.
 * A crash before 2 leaves only temp files, discarded on restart (the set stays all old); a crash
 * after 2 is completed on restart by recoverIntent() (the set becomes all new). Each file is
 * replaced by rename(2), so a reader never sees a torn file at any instant.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readRegularFileSync } from '../read-text.js';
import { dirname } from 'node:path';
import { CheckFailedError } from '../../core/errors.js';
import { stringifyJson } from '../../core/json-file.js';
import {
  commitStaged,
  fsyncDir,
  removeQuietly,
  removeTemps,
  stageFile,
  writeFileAtomic,
} from './atomic-write.js';
import { noCrash, type CrashHook } from './crash-points.js';

interface IntentFile {
  path: string;
  temp: string;
  content: string;
  sha256: string;
}

export interface Intent<R> {
  version: 1;
  id: string;
  createdAt: string;
  files: IntentFile[];
  /** Whatever the finish step needs to record the set (kept opaque here). */
  record: R;
}

export type Finish<R> = (intent: Intent<R>) => void;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function readIfExists(path: string): string | null {
  try {
    return readRegularFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Steps 3 and 4; idempotent, so recovery may run it again after a crash anywhere inside. */
function complete<R>(intentPath: string, intent: Intent<R>, finish: Finish<R>, crash: CrashHook): void {
  for (const file of intent.files) {
    if (existsSync(file.temp)) {
      commitStaged(file.temp, file.path, crash);
      continue;
    }
    // The temp file is gone but the destination is missing or not new (a hand edit since the
    // crash, or a lost temp): write it again from the intent, which holds the full content.
    const current = readIfExists(file.path);
    if (current === null || sha256(current) !== file.sha256) writeFileAtomic(file.path, file.content, crash);
  }
  finish(intent);
  crash('finished');
  removeQuietly(intentPath);
  fsyncDir(dirname(intentPath));
  crash('intent-removed');
}

/** Replace every file of the set, or none of them. */
export function writeSet<R>(options: {
  intentPath: string;
  id: string;
  createdAt: string;
  files: { path: string; content: string }[];
  record: R;
  finish: Finish<R>;
  crash?: CrashHook;
}): void {
  const crash = options.crash ?? noCrash;
  const staged: IntentFile[] = [];
  try {
    for (const f of options.files) {
      const temp = stageFile(f.path, f.content, crash);
      staged.push({ path: f.path, temp, content: f.content, sha256: sha256(f.content) });
    }
    for (const dir of new Set(staged.map((f) => dirname(f.path)))) fsyncDir(dir);
  } catch (err) {
    for (const f of staged) removeQuietly(f.temp);
    throw err;
  }
  const intent: Intent<R> = {
    version: 1,
    id: options.id,
    createdAt: options.createdAt,
    files: staged,
    record: options.record,
  };
  try {
    writeFileAtomic(options.intentPath, stringifyJson(intent), crash);
  } catch (err) {
    for (const f of staged) removeQuietly(f.temp);
    throw err;
  }
  crash('intent-written');
  complete(options.intentPath, intent, options.finish, crash);
}

/** Read a committed intent left by a crash, if any. */
export function readIntent<R>(intentPath: string): Intent<R> | null {
  const text = readIfExists(intentPath);
  if (text === null) return null;
  try {
    const intent = JSON.parse(text) as Intent<R>;
    if (intent.version === 1 && Array.isArray(intent.files)) return intent;
  } catch {
    // fall through: intent.json is written atomically, so this is not a crash artefact
  }
  throw new CheckFailedError(
    `the intent journal ${intentPath} is not valid`,
    'It is written atomically, so something else changed it: inspect it, then remove it and run apply again.',
  );
}

/**
 * On start, with the lock held: complete a committed set left by a crash (returns its intent),
 * then discard temp files of sets that never committed.
 */
export function recoverIntent<R>(options: {
  intentPath: string;
  dirs: string[];
  finish: Finish<R>;
  crash?: CrashHook;
}): { completed: Intent<R> | null; discarded: string[] } {
  const crash = options.crash ?? noCrash;
  const intent = readIntent<R>(options.intentPath);
  if (intent) complete(options.intentPath, intent, options.finish, crash);
  const dirs = new Set([...options.dirs, dirname(options.intentPath)]);
  const discarded = [...dirs].flatMap((d) => removeTemps(d));
  return { completed: intent, discarded };
}
