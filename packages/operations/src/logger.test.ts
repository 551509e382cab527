import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { requestRoute, UNMATCHED_ROUTE } from './request-route.ts';

describe('the operational log: no line from outside', () => {
  it('escapes them in the message and its printf arguments; members are JSON', () => {
    const lines: string[] = [];
    const log = createLogger('test', { destination: { write: (line: string) => void lines.push(line) } });
    log.info({ path: 'x\ny' }, 'refused /x\n[gateway] FORGED');
    log.warn('at %s', 'a\r\nb');
    expect(lines.join('').trim().split('\n')).toHaveLength(2);
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'refused /x\\n[gateway] FORGED',
      'at a\\r\\nb',
    ]);
  });

  it("names a request by the route it matched, never the path's values", async () => {
    const app = new Hono();
    const seen: string[] = [];
    app.use(async (c, next) => {
      seen.push(requestRoute(c));
      await next();
    });
    const sub = new Hono();
    sub.get('/verwerkingen/:id/bewijs', (c) => c.text('ok'));
    app.route('/inzage/v1', sub);
    app.post('/:serviceId/personen', (c) => c.text('ok'));
    await app.request('/inzage/v1/verwerkingen/999990007/bewijs');
    await app.request('/x%0a%5Bgateway%5D/personen', { method: 'POST' });
    await app.request('/999990007');
    expect(seen).toEqual(['/inzage/v1/verwerkingen/:id/bewijs', '/:serviceId/personen', UNMATCHED_ROUTE]);
  });
});
