// The kubeconfig that tests, kubectl and `npm run cluster` users connect with: the admin client certificate.
import { readFile, writeFile } from 'node:fs/promises';
import type { Pki } from './pki.ts';

/** Inlines the certificates so the file works on its own, e.g. when copied out of the temp dir. */
export async function writeAdminKubeconfig(path: string, server: string, pki: Pki): Promise<void> {
  const base64 = async (file: string): Promise<string> => (await readFile(file)).toString('base64');
  const [ca, cert, key] = await Promise.all([base64(pki.caCert), base64(pki.adminCert), base64(pki.adminKey)]);
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: scanschedule-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    '- name: admin',
    '  user:',
    `    client-certificate-data: ${cert}`,
    `    client-key-data: ${key}`,
    'contexts:',
    '- name: scanschedule-test',
    '  context:',
    '    cluster: scanschedule-test',
    '    user: admin',
    '    namespace: default',
    'current-context: scanschedule-test',
    '',
  ].join('\n');
  await writeFile(path, text, { mode: 0o600 });
}
