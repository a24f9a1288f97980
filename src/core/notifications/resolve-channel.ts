// Where a channel's address and signing key come from, for every runtime: the inline url, else the urlFrom
// Secret (trimmed: a Secret written with a trailing newline is common), and the signingKeyFrom Secret. Only
// how a Secret is read differs (the API server, or files and the environment), so that is a parameter.
import type { NotificationChannel, SecretKeySelector } from '../../api/types.ts';
import type { ResolvedChannel } from '../ports.ts';

export type SecretRead = { value: string } | { error: string };

export async function resolveChannel(
  channel: NotificationChannel,
  readSecret: (ref: SecretKeySelector) => SecretRead | Promise<SecretRead>,
): Promise<ResolvedChannel | { error: string }> {
  let url = channel.url;
  if (channel.urlFrom !== undefined) {
    const read = await readSecret(channel.urlFrom.secretKeyRef);
    if ('error' in read) return read;
    url = read.value.trim();
  }
  if (url === undefined || url === '') return { error: 'the channel has no url or urlFrom' };
  if (channel.signingKeyFrom === undefined) return { url };
  const key = await readSecret(channel.signingKeyFrom.secretKeyRef);
  if ('error' in key) return key;
  return { url, signingKey: key.value };
}
