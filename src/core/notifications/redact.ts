// Error texts from the HTTP stack may quote the URL, and a channel URL is a secret (a Slack incoming webhook's
// path is its token). Everything that leaves the delivery code as text goes through redactUrls first.

export const REDACTED = '<redacted>';

/** Path segments and query values at least this long are treated as tokens even when quoted alone. */
const MIN_TOKEN_LENGTH = 8;

/** `text` without any of `urls`, their paths, queries, credentials or token-like parts. */
export function redactUrls(text: string, urls: readonly string[]): string {
  const secrets = new Set<string>();
  for (const url of urls) for (const part of secretParts(url)) secrets.add(part);
  // Longest first, so that a whole URL is replaced before its parts are looked for.
  let redacted = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    redacted = redacted.split(secret).join(REDACTED);
  }
  return redacted;
}

function secretParts(url: string): string[] {
  const parts = [url, url.trim()];
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return parts.filter((p) => p.length > 0);
  }
  const pathAndQuery = `${parsed.pathname}${parsed.search}`;
  parts.push(parsed.href, `${parsed.origin}${parsed.pathname}`, pathAndQuery, parsed.search.slice(1));
  if (parsed.pathname.length > 1) parts.push(parsed.pathname);
  parts.push(parsed.username, parsed.password);
  for (const segment of parsed.pathname.split('/')) if (segment.length >= MIN_TOKEN_LENGTH) parts.push(segment);
  for (const value of parsed.searchParams.values()) if (value.length >= MIN_TOKEN_LENGTH) parts.push(value);
  const withDecoded = parts.flatMap((part) => [part, safeDecode(part)]);
  return withDecoded.filter((part) => part.length > 1 && part !== '/');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
