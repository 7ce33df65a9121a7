/**
 * The promotion branch name as a value object: `promote/<pointer>/<run>`, and for a promotion of
 * several pointers `promote/<p1>,<p2>/<run1>,<run2>` (pointers sorted). A comma is in neither
 * pointer names nor run ids, and one flat level avoids git's file/directory clash between
 * `promote/minutes/A` and a longer name under it. Run-id characters git refuses in a ref (":",
 * a final "." or ".lock") are percent-encoded, so parse(toString()) is exact.
 */
import { POINTER_NAME } from './schemas.js';
import { runIdProblem } from './run-id.js';

interface BranchAssignment {
  pointer: string;
  run: string;
}

const PREFIX = 'promote/';

function encodeRun(run: string): string {
  let out = run.replace(/:/g, '%3A');
  if (out.endsWith('.lock')) out = `${out.slice(0, -5)}%2Elock`;
  else if (out.endsWith('.')) out = `${out.slice(0, -1)}%2E`;
  return out;
}

function decodeRun(text: string): string {
  return text.replace(/%3A/g, ':').replace(/%2E/g, '.');
}

export class PromotionBranch {
  readonly assignments: readonly BranchAssignment[];

  /** `prefix` is "promote/", or "adopt/" for the branch of `git promote adopt`. */
  constructor(
    assignments: BranchAssignment[],
    readonly prefix: 'promote/' | 'adopt/' = PREFIX,
  ) {
    if (assignments.length === 0) throw new Error('a promotion branch needs at least one pointer');
    this.assignments = [...assignments].sort((a, b) => a.pointer.localeCompare(b.pointer));
  }

  toString(): string {
    const pointers = this.assignments.map((a) => a.pointer).join(',');
    const runs = this.assignments.map((a) => encodeRun(a.run)).join(',');
    return `${this.prefix}${pointers}/${runs}`;
  }

  /** The branch's assignments, or null when `name` is not a promotion branch. */
  static parse(name: string): PromotionBranch | null {
    const ref = name.replace(/^refs\/heads\//, '');
    if (!ref.startsWith(PREFIX)) return null;
    const parts = ref.slice(PREFIX.length).split('/');
    if (parts.length !== 2) return null;
    const pointers = parts[0]!.split(',');
    const runs = parts[1]!.split(',').map(decodeRun);
    if (pointers.length !== runs.length) return null;
    if (new Set(pointers).size !== pointers.length) return null;
    if (!pointers.every((p) => POINTER_NAME.test(p)) || runs.some((r) => runIdProblem(r) !== null))
      return null;
    const branch = new PromotionBranch(pointers.map((pointer, i) => ({ pointer, run: runs[i]! })));
    return branch.toString() === ref ? branch : null;
  }
}
