/**
 * The soak's signer, a child process: signs requests to the gateway as the soak asks for them (each
 * with its own nonce, valid for 300 s), so that signing, the caller's cost, never stalls the open-loop
 * load's event loop and no request is stale by the time it is sent (a soak outlasts a signature's
 * validity). Environment: SIGNER_KEY_FILE, SIGNER_URL, SIGNER_BODY, SIGNER_ACTIVITY. Asked `{ count }`
 * over IPC, it answers with that many `PreparedRequest`s.
 */
import { readFileSync } from 'node:fs';
import { signRequest } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import type { PreparedRequest } from './load.ts';

const env = (name: string) => process.env[name] ?? '';
const privateKey = JSON.parse(readFileSync(env('SIGNER_KEY_FILE'), 'utf8')) as JWK;
const url = env('SIGNER_URL');
const path = new URL(url).pathname;

process.on('message', async ({ count }: { count: number }) => {
  const signed: PreparedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const r = await signRequest({
      url,
      body: env('SIGNER_BODY'),
      privateKey,
      processingActivity: env('SIGNER_ACTIVITY'),
      validitySeconds: 300,
    });
    signed.push({ path, headers: r.headers, body: r.body });
  }
  process.send?.(signed);
});
process.on('disconnect', () => process.exit(0));
