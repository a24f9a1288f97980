// core's NotificationPort on one machine: a channel's inline `url`, or its `urlFrom`/`signingKeyFrom` Secret
// read from `--secrets-dir DIR` as DIR/<secret name>/<key> (the layout of a Secret mounted as a volume), else
// from the environment variable SCANSCHEDULE_SECRET_<NAME>_<KEY> (upper case, other characters as `_`). The POST
// goes out through src/notify, the same code as the controller's. Neither the URL nor the key is logged or kept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NotificationChannel, SecretKeySelector } from '../api/types.ts';
import { resolveChannel } from '../core/notifications/resolve-channel.ts';
import type { NotificationPort, PostOutcome, ResolvedChannel } from '../core/ports.ts';
import { postNotification } from '../notify/post-notification.ts';

export interface LocalNotificationSettings {
  secretsDir: string | undefined;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The environment variable that holds a Secret's key when no file does. */
export function secretEnvName(ref: SecretKeySelector): string {
  return `SCANSCHEDULE_SECRET_${ref.name}_${ref.key}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

const SAFE_PART = /^[A-Za-z0-9._-]+$/;

export class LocalNotificationPort implements NotificationPort {
  readonly #settings: LocalNotificationSettings;

  constructor(settings: LocalNotificationSettings) {
    this.#settings = settings;
  }

  async resolve(_namespace: string, channel: NotificationChannel): Promise<ResolvedChannel | { error: string }> {
    return resolveChannel(channel, (ref) => this.#secretValue(ref));
  }

  async post(request: { url: string; body: string; headers: Record<string, string> }): Promise<PostOutcome> {
    const result = await postNotification({
      ...request,
      timeoutMs: this.#settings.timeoutMs,
      ...(this.#settings.signal !== undefined && { signal: this.#settings.signal }),
    });
    return result.ok ? { ok: true } : result;
  }

  #secretValue(ref: SecretKeySelector): { value: string } | { error: string } {
    const envName = secretEnvName(ref);
    const { secretsDir } = this.#settings;
    // A name such as ../x would read outside the directory: Secret names and keys never hold a slash.
    if (secretsDir !== undefined && SAFE_PART.test(ref.name) && SAFE_PART.test(ref.key)) {
      try {
        return { value: readFileSync(join(secretsDir, ref.name, ref.key), 'utf8') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          return {
            error: `cannot read ${ref.name}/${ref.key} in --secrets-dir (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
          };
        }
      }
    }
    const fromEnv = this.#settings.env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv };
    return {
      error: `secret ${ref.name} key "${ref.key}" not found: write it to <--secrets-dir>/${ref.name}/${ref.key}, or set ${envName}`,
    };
  }
}
