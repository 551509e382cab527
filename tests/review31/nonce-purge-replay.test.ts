/**
 * Review of issue 31, "nonces still purged" × "a replayed nonce is refused and never reaches the
 * source", from outside: the gateway's HTTP app with a clock of its own, the purge run as the gateway
 * runs it (`delete … where expires_at < now`, every minute with `Date.now()`).
 *
 * FINDING (low–medium, pre-existing, not introduced by issue 31): a nonce is stored with
 * `expires_at = (expires + skew) * 1000` (ms) and purged when `expires_at < now_ms`; the signature
 * check compares whole seconds (`now = floor(now_ms / 1000)`, expired iff `expires + skew < now`).
 * In the last second of the window, (expires + skew) * 1000 < now_ms < (expires + skew + 1) * 1000, the
 * purge has already deleted the nonce while the signature still verifies: a replay sent in that
 * second, after a purge in that second, is let through to the source. The purge runs every 60 s, so a
 * replayer who sends each captured request at its window's last second wins about one time in sixty.
 * Fix (tiny): store the claim until a second later (`(expires + skew + 1) * 1000`) or purge with a margin
 * (`expires_at < now - 60_000`). Fixed: replayWindowEnd keeps it a second longer.
 */
import { GATEWAY_URL, startTestGateway, type TestGateway } from '@poortwachter/gateway/testing';
import { signRequest } from '@poortwachter/protocol';
import { describeDialect } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNonceStore } from '../../packages/gateway/src/storage/nonce-store.ts';

describeDialect('sqlite', 'review 31: a purged nonce and its signature window', () => {
  let gw: TestGateway;
  let clock = Date.now();
  beforeAll(async () => {
    gw = await startTestGateway('sqlite', { now: () => clock });
  });
  afterAll(async () => gw.close());

  const signed = async (created: number) =>
    signRequest({
      url: `${GATEWAY_URL}/personen`,
      body: JSON.stringify({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: ['999993653'],
        fields: ['naam.voornamen'],
      }),
      privateKey: gw.key(DEMO_OIN.utrecht),
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      created,
      validitySeconds: 60,
      nonce: `purge-window-${created}-${Math.random().toString(36).slice(2)}`,
    });
  const send = (request: Awaited<ReturnType<typeof signed>>) =>
    gw.app.request(request.url, { method: request.method, headers: request.headers, body: request.body });

  it('refuses a replay within the window even when the purge has run (control: before the purge)', async () => {
    const created = Math.floor(clock / 1000);
    const request = await signed(created);
    expect((await send(request)).status).toBe(200);
    const calls = gw.source.state.calls;
    // In the window's last second, no purge yet: refused.
    clock = (created + 60 + 60) * 1000 + 500;
    expect((await send(request)).status).toBe(401);
    expect(gw.source.state.calls).toBe(calls);
  });

  it('refuses a replay in the last second of the window after a purge in that second', async () => {
    clock = Date.now();
    const created = Math.floor(clock / 1000);
    const request = await signed(created);
    expect((await send(request)).status).toBe(200);
    const calls = gw.source.state.calls;
    clock = (created + 60 + 60) * 1000 + 500;
    // The gateway's periodic purge, at this moment.
    expect(await createNonceStore(gw.db).purgeExpired(clock)).toBeGreaterThan(0);
    const replay = await send(request);
    expect(gw.source.state.calls).toBe(calls);
    expect(replay.status).toBe(401);
  });
});
