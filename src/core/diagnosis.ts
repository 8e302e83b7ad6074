/**
 * The `diagnosis` object of a `why` answer, as plain data. Defined here, in core, because an Answer
 * carries it and renderers read it; src/net/why-diagnosis.ts computes it. Issue 15 fixes this shape:
 * other tools read it from `--json`.
 */

/** Step ids in the order `why` walks the path; `diagnosis.steps` keeps this order. */
export const STEP_ORDER = ['resolve', 'service', 'selector', 'target-port', 'endpoints', 'listening', 'policy', 'route', 'probe'] as const;
export type StepId = (typeof STEP_ORDER)[number];
export type StepStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface DiagnosisStep {
  id: StepId;
  status: StepStatus;
  /** One sentence naming the objects checked (a skip says why it was not checked). */
  evidence: string;
  /** What to change, for a fail or a warn that has a fix. */
  fix?: string;
}

/** Exactly the `diagnosis` shape of the `--json` Answer. */
export interface Diagnosis {
  firstFailure: StepId | null;
  steps: DiagnosisStep[];
}

/**
 * Steps that can be live: read or sent now rather than taken from a cache — `resolve` when the name is
 * looked up from the client's own vantage, `listening` (a socket read through the node's agent or
 * Docker's /proc), `probe`. An answer's `liveSteps` says which of them it ran live; "Probe again"
 * reruns those.
 */
export const LIVE_STEPS: readonly StepId[] = ['resolve', 'listening', 'probe'];
