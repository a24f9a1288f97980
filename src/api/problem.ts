/** One thing wrong with an object, in words a user can act on. */
export interface Problem {
  /** Dotted path for people: spec.jobTemplate.notifications.channels[0].url */
  path: string;
  message: string;
  /** How to fix it; empty when the message already says. */
  fix: string;
  /** The same path as keys and indexes, for finding the line in a file (keys may contain dots: labels). */
  segments?: readonly (string | number)[];
}

/** Renders path segments the way people read them: spec.targets.images[2], metadata.labels["app.kubernetes.io/name"]. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
