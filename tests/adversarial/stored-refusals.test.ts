/**
 * What a refused request leaves in the stores (issue 25, item 11, the path to the database): a refusal
 * row holds no personal data and no text the caller chose, because it is kept (and is a leaf of the
 * verifiable log). Raw HTTP against `pnpm start`'s outway with a BSN and a forged line in the path,
 * with and without an API key; then, with the system stopped (the counted refusals are written at the
 * latest then), every text column of the outway's refusals is read from its database.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { describe, expect, it } from 'vitest';
import { startSystem } from '../start-system.ts';

/** A BSN that is in no seed: wherever it is stored, it came from a request's path. */
const BSN = '999990007';
const FORGED = 'FORGED';

describe("a refused request's path is not stored", () => {
  it("the outway's refusals name no service the directory does not know, and repeat nothing of the path", async () => {
    const system = await startSystem();
    let stopped = false;
    try {
      const outway = `http://127.0.0.1:${system.ports.outway}`;
      const apiKey = readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim();
      const json = { 'content-type': 'application/json' };
      const paths = [`/${BSN}/personen`, `/x%0a%5Bgateway%5D%20${FORGED}/personen`];
      // Many invented services from a caller nobody identified: counted, never a row per path.
      for (let i = 0; i < 20; i++) paths.push(`/${BSN}${i}/personen`);
      for (const path of paths) {
        for (const headers of [json, { ...json, 'x-api-key': apiKey }]) {
          const res = await fetch(`${outway}${path}`, { method: 'POST', headers, body: '{}' });
          expect(res.status, path).toBeGreaterThanOrEqual(400);
          await res.body?.cancel();
        }
      }
      expect(await system.stop({ keepData: true })).toBe(0);
      stopped = true;
      const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(system.data, 'outway.db')}`);
      try {
        const rows = await db.selectFrom('refusals').selectAll().execute();
        // Identified: one row per request; anonymous: one counted row per reason.
        expect(rows.filter((r) => r.caller_oin !== null)).toHaveLength(paths.length);
        expect(rows.filter((r) => r.caller_oin === null).length).toBeLessThanOrEqual(2);
        for (const row of rows) {
          expect(row.service_id).toBe('unknown');
          const text = JSON.stringify(row);
          expect(text, text).not.toContain(BSN);
          expect(text, text).not.toContain(FORGED);
        }
      } finally {
        await close();
        rmSync(system.data, { recursive: true, force: true });
      }
    } finally {
      if (!stopped) await system.stop();
    }
  }, 180_000);
});
