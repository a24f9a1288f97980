/** A mistake in how the command was called (a missing file, a bad flag value): exit 2 with the message, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
