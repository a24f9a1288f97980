// metav1.MicroTime: the API server requires six fractional digits for Lease and events.k8s.io times and
// rejects the three that Date.toISOString() writes.

/** `2026-05-19T10:00:00.123000Z`. */
export function microTime(at: Date): string {
  return at.toISOString().replace(/Z$/, '000Z');
}
