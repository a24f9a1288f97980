// core's NotificationPort over the cluster: a channel's URL and signing key come from a Secret read by name in
// the run's namespace (`get` only: the controller never lists or watches Secrets, so it holds no Secret it was
// not pointed at), and the POST goes out through src/notify. Neither the URL nor the key is logged or kept.
import type { CoreV1Api } from '@kubernetes/client-node';
import type { NotificationChannel, SecretKeySelector } from '../api/types.ts';
import { resolveChannel } from '../core/notifications/resolve-channel.ts';
import type { NotificationPort, PostOutcome, ResolvedChannel } from '../core/ports.ts';
import { postNotification } from '../notify/post-notification.ts';
import { isNotFound } from './api-errors.ts';

export interface KubeNotificationSettings {
  core: CoreV1Api;
  /** Per attempt: resolving, connecting and the answer's status line. */
  timeoutMs: number;
  /** --allow-link-local-notification-targets. */
  allowLinkLocal: boolean;
  /** Aborted when the controller stops. */
  signal?: AbortSignal;
}

export class KubeNotificationPort implements NotificationPort {
  readonly #settings: KubeNotificationSettings;

  constructor(settings: KubeNotificationSettings) {
    this.#settings = settings;
  }

  async resolve(namespace: string, channel: NotificationChannel): Promise<ResolvedChannel | { error: string }> {
    return resolveChannel(channel, (ref) => this.#secretValue(namespace, ref));
  }

  async post(request: { url: string; body: string; headers: Record<string, string> }): Promise<PostOutcome> {
    const result = await postNotification({
      ...request,
      timeoutMs: this.#settings.timeoutMs,
      allowLinkLocal: this.#settings.allowLinkLocal,
      ...(this.#settings.signal !== undefined && { signal: this.#settings.signal }),
    });
    return result.ok ? { ok: true } : result;
  }

  async #secretValue(namespace: string, ref: SecretKeySelector): Promise<{ value: string } | { error: string }> {
    try {
      const secret = await this.#settings.core.readNamespacedSecret({ namespace, name: ref.name });
      const encoded = secret.data?.[ref.key];
      if (encoded === undefined) return { error: `Secret ${namespace}/${ref.name} has no key "${ref.key}"` };
      return { value: Buffer.from(encoded, 'base64').toString('utf8') };
    } catch (error) {
      if (isNotFound(error)) return { error: `Secret ${namespace}/${ref.name} not found` };
      const code = (error as { code?: unknown }).code;
      return {
        error: `could not read Secret ${namespace}/${ref.name}${typeof code === 'number' ? ` (HTTP ${code})` : ''}`,
      };
    }
  }
}
