/**
 * Review of issue 30, promises 5 and 6, from outside (the registry's HTTP app, operator token): the
 * quorum stays a majority, one key never counts twice, and bad input is a problem+json naming the field.
 */
import { generateKeyPairSync } from 'node:crypto';
import { COSIGNATURE_ED25519, formatVkey, noteKeyFromJwk } from '@poortwachter/protocol';
import { describeDialect, startTestRegistry, type TestRegistry } from '@poortwachter/registry/testing';
import type { JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';

const keyOf = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as JWK;
const vkey = (name: string, jwk = keyOf()) => formatVkey(noteKeyFromJwk(name, COSIGNATURE_ED25519, jwk));

describeDialect('sqlite', 'review: the registry refuses bad witness input, naming the field', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry('sqlite');
  });
  afterAll(async () => registry?.close());

  const names = async (res: Response) => {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const p = (await res.json()) as { invalidParams?: { name: string }[] };
    return { status: res.status, names: (p.invalidParams ?? []).map((i) => i.name) };
  };

  it('holds: bad members are refused naming them', async () => {
    const good = vkey('review.example/a');
    for (const [body, member] of [
      [{ vkey: good, url: 'https://a.example', quorum: '1' }, 'quorum'],
      [{ vkey: good, url: 'https://a.example', quorum: 1.5 }, 'quorum'],
      [{ vkey: good, url: 'https://a.example', quorum: -1 }, 'quorum'],
      [{ vkey: good, url: 'https://a.example', quorum: 0 }, 'quorum'],
      [{ vkey: good, url: 'https://a.example', quorum: 2 }, 'quorum'],
      [{ url: 'https://a.example', quorum: 1 }, 'vkey'],
      [{ vkey: good, quorum: 1 }, 'url'],
      [{ vkey: good, url: 'ftp://a.example', quorum: 1 }, 'url'],
      [{ vkey: good, url: 'https://a.example?x=1', quorum: 1 }, 'url'],
      [{ vkey: `${good}x`, url: 'https://a.example', quorum: 1 }, 'vkey'],
      [{ vkey: good.replace(/\+[0-9a-f]{8}\+/, '+00000000+'), url: 'https://a.example', quorum: 1 }, 'vkey'],
      [{ vkey: good, url: 'https://a.example', quorum: 1, extra: true }, 'extra'],
    ] as const) {
      const res = await registry.admin('POST', '/v1/witnesses', body);
      expect(await names(res), JSON.stringify(body)).toMatchObject({ status: 400, names: [member] });
    }
    expect(await names(await registry.admin('PUT', '/v1/witness-quorum', {}))).toMatchObject({
      status: 400,
      names: ['quorum'],
    });
  });

  it('holds: one key under another name is refused (409 naming vkey); majorities only', async () => {
    const jwk = keyOf();
    expect(
      (
        await registry.admin('POST', '/v1/witnesses', {
          vkey: vkey('review.example/k1', jwk),
          url: 'https://k1.example',
          quorum: 1,
        })
      ).status,
    ).toBe(201);
    const alias = await registry.admin('POST', '/v1/witnesses', {
      vkey: vkey('review.example/k1-alias', jwk),
      url: 'https://k2.example',
      quorum: 2,
    });
    expect(await names(alias)).toMatchObject({ status: 409, names: ['vkey'] });
    expect(
      (
        await registry.admin('POST', '/v1/witnesses', {
          vkey: vkey('review.example/k2'),
          url: 'https://k2.example',
          quorum: 2,
        })
      ).status,
    ).toBe(201);
    // 1 of 2 is no majority; 2 of 3 is; then removing one with quorum 1 of 2 is refused.
    expect(await names(await registry.admin('PUT', '/v1/witness-quorum', { quorum: 1 }))).toMatchObject({
      status: 400,
      names: ['quorum'],
    });
    expect(
      (await registry.admin('POST', '/v1/witnesses', { vkey: vkey('review.example/k3'), url: 'https://k3.example' }))
        .status,
    ).toBe(201);
    expect(
      await names(
        await registry.admin('POST', `/v1/witnesses/${encodeURIComponent('review.example/k3')}/remove`, { quorum: 1 }),
      ),
    ).toMatchObject({ status: 400, names: ['quorum'] });
    const policy = (await (await registry.app.request('/v1/witnesses')).json()) as {
      quorum: number;
      witnesses: unknown[];
    };
    expect([policy.witnesses.length, policy.quorum]).toEqual([3, 2]);
  });
});
