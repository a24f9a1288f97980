import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CRD_FILES, renderCrd, renderCrdKustomization } from './crds.ts';
import type { SchemaNode } from './schema.ts';

const crdsDir = join(import.meta.dirname, '..', '..', 'crds');

function* nodes(node: SchemaNode, path: string): Generator<[string, SchemaNode]> {
  yield [path, node];
  for (const [key, child] of Object.entries(node.properties ?? {})) yield* nodes(child, `${path}.${key}`);
  if (node.items !== undefined) yield* nodes(node.items, `${path}[]`);
}

describe('generated CRDs', () => {
  it('crds/kustomization.yaml is exactly what npm run gen writes', () => {
    assert.equal(readFileSync(join(crdsDir, 'kustomization.yaml'), 'utf8'), renderCrdKustomization());
  });

  for (const { file, crd } of CRD_FILES) {
    it(`crds/${file} is exactly what npm run gen writes (run it after changing src/api)`, () => {
      assert.equal(readFileSync(join(crdsDir, file), 'utf8'), renderCrd(crd));
    });

    it(`crds/${file} parses back to the schema ajv validates with`, () => {
      const parsed = parse(readFileSync(join(crdsDir, file), 'utf8')) as typeof crd;
      assert.deepEqual(parsed, JSON.parse(JSON.stringify(crd)));
    });

    it(`${crd.metadata.name} describes every field for kubectl explain`, () => {
      const versions = crd.spec.versions as { schema: { openAPIV3Schema: SchemaNode } }[];
      const root = versions[0]?.schema.openAPIV3Schema;
      assert.ok(root);
      // .metadata may not carry a description (kube-apiserver refuses it); explain shows ObjectMeta's own.
      const undocumented = [...nodes(root, '')].filter(([p, n]) => !n.description && p !== '.metadata').map(([p]) => p);
      assert.deepEqual(undocumented, []);
    });

    it(`${crd.metadata.name} is structural: no additionalProperties beside properties`, () => {
      const versions = crd.spec.versions as { schema: { openAPIV3Schema: SchemaNode } }[];
      const root = versions[0]?.schema.openAPIV3Schema;
      assert.ok(root);
      const offending = [...nodes(root, '')]
        .filter(([, n]) => n.properties !== undefined && n.additionalProperties !== undefined)
        .map(([p]) => p);
      assert.deepEqual(offending, []);
    });
  }
});
