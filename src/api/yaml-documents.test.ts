import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYamlDocuments } from './yaml-documents.ts';

const text = `# leading comment
apiVersion: v1
kind: ScanSchedule
metadata:
  labels:
    app.kubernetes.io/name: scan
spec:
  suspend: yes
  targets:
    images:
      - a
      - b
---
---
kind: Second
`;

describe('parseYamlDocuments', () => {
  const docs = parseYamlDocuments(text);
  it('splits documents and keeps empty ones empty', () => {
    assert.equal(docs.length, 3);
    assert.equal(docs[1]?.value, undefined);
    assert.deepEqual(docs[2]?.value, { kind: 'Second' });
  });
  it('reads YAML 1.1 booleans as kubectl does', () => {
    assert.equal((docs[0]?.value as { spec: { suspend: unknown } } | undefined)?.spec.suspend, true);
  });
  const positions: [string, (string | number)[], number, number][] = [
    ['a scalar value', ['kind'], 3, 7],
    ['a key with dots', ['metadata', 'labels', 'app.kubernetes.io/name'], 6, 29],
    ['a list item', ['spec', 'targets', 'images', 1], 12, 9],
    ['the nearest written ancestor of a missing field', ['spec', 'targets', 'repo'], 9, 3],
    ['the document for the empty path', [], 2, 1],
  ];
  for (const [name, path, line, column] of positions) {
    it(`locates ${name}`, () => assert.deepEqual(docs[0]?.locate(path), { line, column }));
  }
  it('reports a syntax error with its line and a fix for unquoted cron', () => {
    const [doc] = parseYamlDocuments('spec:\n  schedule: */5 * * * *\n');
    assert.equal(doc?.syntaxErrors[0]?.line, 2);
    assert.match(doc?.syntaxErrors[0]?.fix ?? '', /Quote the cron expression/);
  });
  it('reports duplicate keys', () => {
    const [doc] = parseYamlDocuments('a: 1\na: 2\n');
    assert.equal(doc?.syntaxErrors[0]?.line, 2);
  });
});
