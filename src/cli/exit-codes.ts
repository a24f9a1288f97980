// The exit codes of every scanschedule command, one meaning each, so scripts and CI can branch on them.
// docs/operations.md lists them for users.
export const EXIT = {
  /** Done; for validate/next/report: nothing wrong. */
  ok: 0,
  /** The input is invalid, findings are at or above --fail-on, or the named object does not exist. */
  failed: 1,
  /** The command was called wrongly: an unknown flag, a bad value, a missing file. Nothing was checked. */
  usage: 2,
  /** The cluster could not be reached or refused us: no kubeconfig, connection refused, TLS, 401, 403, no CRDs. */
  cluster: 3,
} as const;

/** A named object that is not there: kubectl's NotFound, exit 1. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The cluster could not be used; the message says which server, what went wrong and the fix. Exit 3. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}
