// Installs the generated CRDs (crds/*.yaml) by server-side apply and waits until they can be used: Established,
// and every served version listed in discovery (kubectl and informers resolve resources through discovery, so a
// CRD that is Established but not yet discovered still makes `kubectl apply` fail with "no matches for kind").
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type ApiIdentity, apiRequest } from './api-request.ts';
import { waitUntil } from './wait-until.ts';

interface CrdManifest {
  metadata: { name: string };
  spec: { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] };
}

interface CrdStatus {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

async function readCrds(directory: string): Promise<{ file: string; crd: CrdManifest }[]> {
  const files = (await readdir(directory)).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) throw new Error(`no CRD files (*.yaml) in ${directory}; run npm run gen`);
  const parsed = await Promise.all(
    files.map(async (file) => {
      const crd = parse(await readFile(join(directory, file), 'utf8')) as CrdManifest & { kind?: string };
      return { file, crd };
    }),
  );
  // crds/ also holds the kustomization that `kubectl apply -k manifests/` reaches it through.
  return parsed.filter(({ crd }) => crd.kind === 'CustomResourceDefinition');
}

/** Applies every CRD in `directory` and waits until each is served; returns the CRD names. */
export async function installCrds(identity: ApiIdentity, directory: string, timeoutMs: number): Promise<string[]> {
  const crds = await readCrds(directory);
  for (const { file, crd } of crds) {
    const response = await apiRequest(identity, {
      method: 'PATCH',
      path: `${CRD_PATH}/${crd.metadata.name}?fieldManager=scanschedule-tests&force=true&fieldValidation=Strict`,
      // JSON is YAML, and apply-patch+yaml is what `kubectl apply --server-side` sends.
      body: JSON.stringify(crd),
      contentType: 'application/apply-patch+yaml',
      timeoutMs: 30_000,
    });
    if (response.status !== 200 && response.status !== 201) {
      throw new Error(`kube-apiserver rejected the CRD in crds/${file} (HTTP ${response.status}): ${response.body}`);
    }
  }

  for (const { crd } of crds) {
    const name = crd.metadata.name;
    await waitUntil(
      `CRD ${name} to be Established`,
      async () => {
        const response = await apiRequest(identity, { path: `${CRD_PATH}/${name}` });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.body}`);
        const conditions = (JSON.parse(response.body) as CrdStatus).status?.conditions ?? [];
        const namesAccepted = conditions.find((c) => c.type === 'NamesAccepted');
        if (namesAccepted?.status === 'False') {
          throw new Error(`names not accepted: ${namesAccepted.reason}: ${namesAccepted.message}`);
        }
        return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const groupVersion = `${crd.spec.group}/${version.name}`;
      await waitUntil(
        `${crd.spec.names.plural} in the discovery of ${groupVersion}`,
        async () => {
          const response = await apiRequest(identity, { path: `/apis/${groupVersion}` });
          if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
          const { resources } = JSON.parse(response.body) as { resources: { name: string }[] };
          return resources.some((r) => r.name === crd.spec.names.plural) ? true : undefined;
        },
        { timeoutMs, intervalMs: 100 },
      );
    }
  }
  return crds.map(({ crd }) => crd.metadata.name);
}
