// "Did you mean …?" for the mistakes people make most: a field spelt as elsewhere (timeZone, the CronJob
// spelling), an enum value in the wrong case (forbid), a zone name one letter off (Europe/Berlim).
import { currentZoneNames } from '../schedule/zone-advice.ts';

/** Edit distance, case-insensitive (a case slip costs nothing: the nearest is then the right spelling). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/** The candidate nearest to `word`, when it is near enough to be what was meant. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * The fix with "Did you mean X?" in front when the problem is an unknown field or a disallowed value and one of
 * the choices the fix lists ("known fields here: a, b" / "Use one of: a, b.") is near what was written.
 */
export function withSuggestion(message: string, fix: string): string {
  const zone = /^unknown time zone "([^"]+)"$/.exec(message)?.[1];
  if (zone !== undefined) {
    const choice = nearest(zone, currentZoneNames());
    return choice === undefined ? fix : `Did you mean ${JSON.stringify(choice)}? ${fix}`;
  }
  const field = /^unknown field "([^"]+)"/.exec(message)?.[1];
  const value = /^"([^"]+)" is not allowed/.exec(message)?.[1];
  const listed = /(?:known fields here|Use one of): ([^.]+)\./.exec(fix)?.[1];
  const word = field ?? value;
  if (word === undefined || listed === undefined) return fix;
  const choice = nearest(
    word,
    listed.split(',').map((c) => c.trim()),
  );
  return choice === undefined || choice === word ? fix : `Did you mean ${JSON.stringify(choice)}? ${fix}`;
}
