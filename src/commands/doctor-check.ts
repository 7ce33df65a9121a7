/** One check of `doctor` and its verdict, shared by the checks in doctor.ts and doctor-agent.ts. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  name: 'flow-run' | 'manifests' | 'pointers' | 'rollback' | 'agent' | 'repository';
  status: CheckStatus;
  detail: string;
  /** Per-item lines (per step, per pointer). */
  items: { name: string; status: CheckStatus; detail: string }[];
}
