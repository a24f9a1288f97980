// Turns client-node's ApiException into the errors core understands (core/errors.ts), so that no status code
// crosses into core. The API server's own message (Status.message) is kept: it names the field at fault.
import { ApiException } from '@kubernetes/client-node';
import { ConflictError, RejectedError, TransientError } from '../core/errors.ts';

/** HTTP status of an API error, or undefined for a network failure or a bug. */
export function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export const isNotFound = (error: unknown): boolean => statusCode(error) === 404;
export const isAlreadyExists = (error: unknown): boolean => statusCode(error) === 409;

/** The Status.message the API server sent, else the error's own message. */
export function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    try {
      const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown };
      if (typeof status?.message === 'string') return status.message;
    } catch {
      // A body that is not JSON (a proxy's HTML page): the code says enough.
    }
    return `HTTP ${error.code}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The core error for an API failure: what the worker should do about it is in its class. */
export function toCoreError(error: unknown, doing: string): Error {
  const code = statusCode(error);
  const message = `${doing}: ${apiMessage(error)}`;
  if (code === 409) return new ConflictError(message, { cause: error });
  if (code === 400 || code === 422) return new RejectedError(message, { cause: error });
  return new TransientError(message, { cause: error });
}
