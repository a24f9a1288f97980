// The certificates a throwaway control plane needs, made with the openssl CLI (node:crypto makes keys but not
// X.509 certificates). P-256 keys: generating them takes milliseconds where RSA takes a noticeable share of the
// start-up on a small machine, and kube-apiserver accepts ECDSA for serving, client and service-account keys.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  caCert: string;
  caKey: string;
  /** kube-apiserver's serving certificate, valid for 127.0.0.1 and localhost. */
  servingCert: string;
  servingKey: string;
  /** CN=admin, O=system:masters: full access whatever RBAC says. */
  adminCert: string;
  adminKey: string;
  /** Signs and verifies service-account tokens. */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
// Short-lived on purpose: these files live in a temp dir for one test run.
const DAYS = ['-days', '2'];

async function issue(
  dir: string,
  name: string,
  subject: string,
  extensions: readonly string[],
  ca: { cert: string; key: string },
): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const ext = extensions.flatMap((e) => ['-addext', e]);
  await openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    key,
    '-out',
    cert,
    '-subj',
    subject,
    ...DAYS,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    ...ext,
  ]);
  return { cert, key };
}

export async function createPki(dir: string): Promise<Pki> {
  const caCert = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  await openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-subj',
    '/CN=scanschedule-test-ca',
    ...DAYS,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const ca = { cert: caCert, key: caKey };
  const serviceAccountKey = join(dir, 'service-account.key');
  const serviceAccountPublicKey = join(dir, 'service-account.pub');
  const [serving, admin] = await Promise.all([
    issue(
      dir,
      'apiserver',
      '/CN=kube-apiserver',
      [
        'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
        'extendedKeyUsage=serverAuth',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
      ],
      ca,
    ),
    issue(
      dir,
      'admin',
      '/O=system:masters/CN=admin',
      ['extendedKeyUsage=clientAuth', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'],
      ca,
    ),
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', serviceAccountKey]).then(
      () => openssl(['pkey', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPublicKey]),
    ),
  ]);
  return {
    caCert,
    caKey,
    servingCert: serving.cert,
    servingKey: serving.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountKey,
    serviceAccountPublicKey,
  };
}
