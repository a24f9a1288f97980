// Errors the cluster adapter raises, each carrying what the worker should do about it (after kopf's
// PermanentError / TemporaryError). The worker, not the reconciler, maps them to queue actions.

/** The object changed under us (HTTP 409 on update): read again and retry at once. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The API server refused the object as invalid (HTTP 400/422): retrying the same write cannot help. */
export class RejectedError extends Error {
  override readonly name = 'RejectedError';
}

/** Throttling, a server error or a network failure (HTTP 429/5xx): retry with backoff. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}
