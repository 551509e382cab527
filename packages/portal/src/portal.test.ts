import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPortalApp } from './app.ts';
import { allSentences, TEXTS } from './browser/texts.ts';
import { witnessLine } from './browser/witness-line.ts';
import { buildPortal } from './build.ts';
import { fleschDouma, sentences, words } from './readability.ts';

const bundle = await buildPortal();

describe("the citizens' page: what is served", () => {
  it('is built for the browser without any Node module: the protocol takes its browser cryptography', () => {
    expect(bundle.inputs).toContain('packages/protocol/src/platform/browser.ts');
    expect(bundle.inputs).not.toContain('packages/protocol/src/platform/node.ts');
    expect(bundle.inputs.filter((i) => i.startsWith('node:') || /\/node_modules\/@types\/node\//.test(i))).toEqual([]);
    expect(bundle.script).not.toMatch(/from\s*["']node:|require\(["']node:/);
    // The sdk's citizen code is in it, and the Merkle and signature checks with it.
    for (const file of [
      'packages/sdk/src/citizen-client.ts',
      'packages/protocol/src/merkle/verify.ts',
      // The witnesses' quorum is checked in the browser too.
      'packages/sdk/src/witnessed-head.ts',
      'packages/protocol/src/transparency/checkpoint.ts',
    ]) {
      expect(bundle.inputs).toContain(file);
    }
    // Nothing the citizen's page does not need: no auditor or afnemer code, no CLI.
    expect(bundle.inputs.filter((i) => /organisation-client|auditor-client|\/cli\//.test(i))).toEqual([]);
  });

  it('gives the script an integrity hash that matches it, in the HTML and printed on the page', async () => {
    const app = createPortalApp({
      bundle,
      config: {
        registryUrl: 'http://localhost:8300',
        registryKey: { kty: 'OKP', crv: 'Ed25519', x: 'x' },
        identityProvider: {
          name: 'test',
          authorizeUrl: 'http://localhost:8303/authorize',
          tokenUrl: 'http://localhost:8303/token',
          clientId: 'poortwachter-portal',
          development: true,
        },
      },
    });
    const script = await (await app.request('/app.js')).text();
    const integrity = `sha384-${createHash('sha384').update(script).digest('base64')}`;
    const page = await app.request('/');
    const html = await page.text();
    expect(html).toContain(`integrity="${integrity}"`);
    expect(html).toContain(integrity.slice(7));
    expect(html).toContain('lang="nl"');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await (await app.request('/build-info')).json()).toMatchObject({ integrity });
    // The same sources give the same script: anyone can rebuild it and compare.
    expect((await buildPortal()).integrity).toBe(bundle.integrity);
  });
});

describe("the citizens' page: plain Dutch (B1)", () => {
  it('scores 60 or more on Flesch-Douma, with short sentences', () => {
    const texts = allSentences();
    const { score, wordsPerSentence, longest } = fleschDouma(texts);
    expect(score, `Flesch-Douma ${score.toFixed(1)}`).toBeGreaterThanOrEqual(60);
    expect(wordsPerSentence).toBeLessThanOrEqual(12);
    expect(words(longest).length, longest).toBeLessThanOrEqual(20);
  });

  it('the check can fail: an official text scores below 60', () => {
    const ambtelijk = [
      'Indien u van mening bent dat de verwerking van uw persoonsgegevens door de desbetreffende bestuursorganisatie niet in overeenstemming met de toepasselijke wettelijke voorschriften heeft plaatsgevonden, kunt u overeenkomstig de Algemene verordening gegevensbescherming een verzoek tot rectificatie indienen.',
    ];
    expect(fleschDouma(ambtelijk).score).toBeLessThan(60);
    expect(sentences(TEXTS.intro.join(' ')).length).toBe(8);
  });
});

describe("the citizens' page: the line on the witnesses", () => {
  type Entry = Parameters<typeof witnessLine>[0][number];
  const line = (inLog: Entry['inLog']) => ({ id: 'x', inLog }) as unknown as Entry;
  const vouched = (cosigners: string[], quorum: number) =>
    line({ verified: true, logId: 'brp', leafIndex: 0, treeSize: 1, witnessed: { cosigners, quorum } });

  it('says how many independent witnesses vouched for every head, counting the fewest', () => {
    expect(witnessLine([vouched(['a', 'b'], 2), vouched(['a', 'b', 'c'], 2)])).toEqual({
      ok: true,
      text: 'Dit overzicht is bevestigd door 2 onafhankelijke getuigen.',
    });
  });

  it('warns when lines lack the quorum, or when the directory lists no witnesses; says nothing unchecked', () => {
    const refused = line({ verified: false, reason: 'only 1 of 2', unwitnessed: { cosigned: 1, quorum: 2 } });
    expect(witnessLine([vouched(['a', 'b'], 2), refused])).toEqual({ ok: false, text: TEXTS.notWitnessed(1) });
    expect(witnessLine([vouched([], 0)])).toEqual({ ok: false, text: TEXTS.noWitnesses });
    expect(witnessLine([line(undefined)])).toBeNull();
    expect(witnessLine([line({ verified: false, reason: 'tampered' })])).toBeNull();
  });
});
