// Parses a multi-document YAML text the way kubectl reads it, keeping where each value stands in the file, so
// that every problem can be reported as file:line:col. The `yaml` package keeps source ranges on every node,
// which js-yaml does not expose without re-walking the text ourselves.
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

export interface SyntaxProblem extends Position {
  message: string;
  fix: string;
}

export interface YamlDocument {
  /** 0-based index of the document in its file. */
  index: number;
  /** Line where the document starts. */
  start: Position;
  /** The document as plain data (undefined for an empty document). */
  value: unknown;
  syntaxErrors: SyntaxProblem[];
  /** Where the value at this path is written; the nearest written ancestor when it is missing. */
  locate(segments: readonly (string | number)[]): Position;
}

export function parseYamlDocuments(text: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  // YAML 1.1 like kubectl (sigs.k8s.io/yaml): `suspend: yes` is true there, and must be true here.
  const documents = parseAllDocuments(text, { lineCounter, version: '1.1', uniqueKeys: true, prettyErrors: false });
  const list = Array.isArray(documents) ? documents : [];
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return list.map((doc, index) => {
    const syntaxErrors: SyntaxProblem[] = [];
    for (const error of doc.errors) {
      const position = at(error.pos[0]);
      // One mistake often trips the parser several times on its line (each `*` of an unquoted cron): say it once.
      if (syntaxErrors.some((seen) => seen.line === position.line)) continue;
      syntaxErrors.push({
        ...position,
        message: firstLine(error.message),
        fix: syntaxFix(text, position.line, error.code),
      });
    }
    const contents = doc.contents as Node | null;
    const start = at(contents?.range?.[0] ?? doc.range[0]);
    let value: unknown;
    if (syntaxErrors.length === 0) {
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (error) {
        syntaxErrors.push({ ...start, message: (error as Error).message, fix: '' });
      }
    }
    return {
      index,
      start,
      value: value ?? undefined,
      syntaxErrors,
      locate: (segments) => at(offsetOf(contents, segments) ?? contents?.range?.[0] ?? doc.range[0]),
    };
  });
}

function offsetOf(root: Node | null, segments: readonly (string | number)[]): number | undefined {
  let node: unknown = root;
  let best: number | undefined = (root as Node | null)?.range?.[0];
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) return best;
      const key = pair.key as Node;
      best = key.range?.[0] ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) return best;
      best = item.range?.[0] ?? best;
      node = item;
    } else {
      return best;
    }
  }
  // Point at the value rather than its key when the value is written on the same line.
  const valueStart = (node as Node | null)?.range?.[0];
  return isScalar(node) && valueStart !== undefined ? valueStart : best;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function syntaxFix(text: string, line: number, code: string): string {
  const source = text.split('\n')[line - 1] ?? '';
  // `schedule: */15 * * * *` is the classic: an unquoted `*` starts a YAML alias.
  if (/^\s*schedule:\s*[^"'\s]/.test(source) && source.includes('*')) {
    return 'Quote the cron expression, e.g. schedule: "*/15 * * * *".';
  }
  if (code === 'TAB_AS_INDENT') return 'Indent with spaces, not tabs.';
  if (code === 'DUPLICATE_KEY') return 'Remove one of the two keys.';
  return 'Check the indentation and quoting on this line and the one before it.';
}
