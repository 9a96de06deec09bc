/** A check's verdict before it is tied to a boot (pure helpers of the check modules). */
export type CheckOutcome = 'pass' | 'fail' | 'not-run';

export interface Verdict {
  result: CheckOutcome;
  detail: string;
}

export const pass = (detail: string): Verdict => ({ result: 'pass', detail });
export const fail = (detail: string): Verdict => ({ result: 'fail', detail });
