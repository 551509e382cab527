import { contentDigest, GatewayRefusal, parseTilePath, TILE_HEIGHT, TILE_WIDTH } from '@poortwachter/protocol';
import type { Context } from 'hono';
import { headOf, tileHashes } from '../log/merkle/merkle-store.ts';
import type { GatewayEnv } from '../pipeline/context.ts';

/** Above tree level 48 (tile level 6) a tile would stand for 2^56 leaves: beyond any log here. */
const MAX_TILE_LEVEL = 6;
/** Full tiles never change; a partial tile only until the full one exists. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=10';

const noTile = (detail: string) => new GatewayRefusal('logEntryNotFound', detail);

/**
 * `GET <log API>/<logId>/tile/<L>/<N>[.p/<W>]` (C2SP tlog-tiles): hash tiles only, up to the newest
 * signed head. Hash i of the level-L tile N is the stored perfect-subtree hash at tree level 8·L,
 * index N·256+i. Entry bundles (`tile/entries/…`) are not served: the entries are access records,
 * personal data, and purged records keep only their leaf; auditors read the signed `/entries`.
 */
export async function sendTile(c: Context<GatewayEnv>, logId: string, path: string): Promise<Response> {
  const tile = parseTilePath(path);
  if (!tile) throw noTile(`${path} is geen tegel (tile/<L>/<N>[.p/<W>]).`);
  if (tile.level === 'entries') {
    throw noTile(
      'De regels van dit logboek worden niet als tegels gepubliceerd: het zijn persoonsgegevens. Auditors lezen ze via /entries.',
    );
  }
  const width = tile.width ?? TILE_WIDTH;
  const head = await headOf(c.var.reads.db, logId, {});
  // The hashes a tile of this level can hold in the newest signed head: floor(size / 256^level).
  const available = tile.level > MAX_TILE_LEVEL || !head ? 0 : Math.floor(head.tree_size / TILE_WIDTH ** tile.level);
  const start = tile.index * TILE_WIDTH;
  if (start + width > available) {
    throw noTile(`Tegel ${path} valt buiten de nieuwste ondertekende boomkop van dit logboek.`);
  }
  const body = await tileHashes(c.var.reads.db, logId, TILE_HEIGHT * tile.level, start, width);
  if (!body) throw new Error(`log ${logId}: tile ${path} lacks stored hashes`);
  const bytes = new Uint8Array(body);
  // The digest of the bytes themselves (signResponse would read the body as text).
  c.header('content-digest', await contentDigest(bytes));
  return c.body(bytes, 200, {
    'content-type': 'application/octet-stream',
    'cache-control': tile.width === undefined ? IMMUTABLE : SHORT,
  });
}
