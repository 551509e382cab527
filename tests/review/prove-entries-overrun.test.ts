/**
 * Review of issue 30, promise 4: the auditor's (incremental) log verify never skips a record it should
 * check. A gateway (the party audited) answers `/entries?start&end` with one entry more than asked: the
 * tree rebuilt then has size+1 leaves, the root check (`range.size === head.tree_size`) is skipped, and a
 * record rewritten together with its served leaf hash is never caught. Review finding (high); failed on main at 69a65dd, fixed since.
 */
import {
  contentDigest,
  logLeafHash,
  type Organisation,
  RESPONSE_COMPONENTS,
  rangeRoot,
  signMessage,
  type TreeHead,
  toBase64,
} from '@poortwachter/protocol';
import { generateSigningKey, proveEntries } from '@poortwachter/sdk';
import { describe, expect, it } from 'vitest';

const LOG = 'overrun';
const refusalEntry = (i: number, n = i) => ({ id: `r-${i}`, refusal: { n } });

describe('review: the auditor against a gateway that serves entries beyond the head', () => {
  it('an extra entry past the head is a finding and does not hide a rewritten record from the root check', async () => {
    const gateway = await generateSigningKey('ed25519');
    const auditor = await generateSigningKey('ed25519');
    const provider = {
      oin: '00000001003214345000',
      name: 'bronhouder',
      keys: [{ kid: gateway.publicKey.kid, jwk: gateway.publicKey, status: 'active' }],
    } as unknown as Organisation;

    // The signed head: 4 refusals as logged.
    const logged = [0, 1, 2, 3].map((i) => refusalEntry(i));
    const head: TreeHead = {
      log_id: LOG,
      tree_size: 4,
      root_hash: toBase64(rangeRoot(logged.map((e) => logLeafHash(e as never)))),
      timestamp: 1,
    };
    // What the gateway serves now: record 2 rewritten (with a leaf hash to match), and one entry more.
    const served = [refusalEntry(0), refusalEntry(1), refusalEntry(2, 999), refusalEntry(3), refusalEntry(4)].map(
      (e, index) => ({
        index,
        id: e.id,
        leaf_hash: toBase64(logLeafHash(e as never)),
        refusal: e.refusal,
        columns: { log_id: LOG, leaf_index: index },
      }),
    );

    // A gateway that signs its answers with the provider's key, bound to the auditor's request.
    const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const start = Number(url.searchParams.get('start'));
      // It answers from `start`, and ignores `end`.
      const body = JSON.stringify({ entries: served.filter((e) => e.index >= start) });
      const headers = new Headers({
        'content-type': 'application/json',
        'content-digest': await contentDigest(body),
        'fsc-transaction-id': '01890000-0000-7000-8000-000000000000',
      });
      const signature = await signMessage(
        { status: 200, header: (name) => headers.get(name) },
        {
          components: RESPONSE_COMPONENTS,
          privateKey: gateway.privateKey,
          created: Math.floor(Date.now() / 1000),
          request: { header: (name) => request.headers.get(name) },
        },
      );
      for (const [name, value] of Object.entries(signature)) headers.set(name, value);
      return new Response(body, { status: 200, headers });
    }) as typeof fetch;

    const proven = await proveEntries({
      fetch: fetchImpl,
      logUrl: `http://127.0.0.1:1/log/v1/${LOG}`,
      head,
      provider,
      privateKey: auditor.privateKey,
    });
    // The answers verified; the entry past the head is refused, never taken into the tree.
    expect(proven.range.size).toBe(4);
    expect(proven.findings.some((f) => f.includes('serves entries beyond its signed head of 4'))).toBe(true);
    // Record 2 no longer leads to the signed root of size 4: this must be a finding too.
    expect(proven.findings.some((f) => f.includes('do not lead to its signed root'))).toBe(true);
  });
});
