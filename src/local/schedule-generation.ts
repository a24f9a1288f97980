// A schedule read from a file, as the runtime keeps it: the file gives labels, annotations and spec; the runtime
// gives what the API server would (creationTimestamp once, a generation that grows with every spec change) and
// keeps the status it wrote. Pure.
import { isDeepStrictEqual } from 'node:util';
import type { ScanSchedule } from '../api/types.ts';
import { formatUtc } from '../schedule/rfc3339.ts';

export function storedVersionOf(fromFile: ScanSchedule, stored: ScanSchedule | undefined, now: Date): ScanSchedule {
  const generation =
    stored === undefined
      ? 1
      : isDeepStrictEqual(stored.spec, fromFile.spec)
        ? (stored.metadata.generation ?? 1)
        : (stored.metadata.generation ?? 1) + 1;
  const { uid: _uid, resourceVersion: _rv, ...metadata } = fromFile.metadata;
  return {
    ...fromFile,
    metadata: {
      ...metadata,
      generation,
      creationTimestamp: stored?.metadata.creationTimestamp ?? formatUtc(now.getTime()),
    },
    ...(stored?.status === undefined ? {} : { status: stored.status }),
  };
}
