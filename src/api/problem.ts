/** One thing wrong with an object, in the words a user can act on. `path` is dotted: spec.jobTemplate.targets. */
export interface Problem {
  path: string;
  message: string;
  /** How to fix it; empty when the message already says. */
  fix: string;
}
