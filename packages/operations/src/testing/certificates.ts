import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files a test made: a CA, and certificates it (or nobody) signed, by name. */
export interface TestCertificates {
  readonly dir: string;
  /** The CA's certificate (PEM file path). */
  readonly caFile: string;
  /** `<name>.pem` and `<name>.key` in `dir`. */
  file(name: string, kind: 'pem' | 'key'): string;
  read(name: string, kind: 'pem' | 'key'): Buffer;
}

/**
 * Makes a test CA (P-256, valid one day) with OpenSSL and issues certificates: for a server (with
 * subjectAltName 127.0.0.1 and localhost), for clients, and self-signed ones the CA never saw.
 *
 * @example
 * const certs = makeTestCertificates([{ name: 'server', server: true }, { name: 'gateway' }]);
 */
export function makeTestCertificates(
  issue: readonly { name: string; subject?: string; server?: boolean; selfSigned?: boolean }[],
): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'poortwachter-tls-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=poortwachter test CA');
  for (const { name, subject, server, selfSigned } of issue) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject ?? `/CN=${name}`);
    const ext = server ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' : undefined;
    if (ext) writeFileSync(join(dir, `${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-days',
      '1',
      '-out',
      `${name}.pem`,
      ...(selfSigned ? ['-key', `${name}.key`] : ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial']),
      ...(ext ? ['-extfile', `${name}.ext`] : []),
    );
  }
  const file = (name: string, kind: 'pem' | 'key') => join(dir, `${name}.${kind}`);
  return { dir, caFile: join(dir, 'ca.pem'), file, read: (name, kind) => readFileSync(file(name, kind)) };
}
