/** Paths of C2SP tlog-tiles (https://c2sp.org/tlog-tiles): one writer, one parser. */

/** Hashes per full tile, and the tree levels one tile spans. */
export const TILE_WIDTH = 256;
export const TILE_HEIGHT = 8;

/** `x001/x234/067` for 1234067: zero-padded 3-digit elements, all but the last starting with `x`. */
function indexPath(index: number): string {
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** `tile/<L>/<N>[.p/<W>]` (or `tile/entries/<N>[.p/<W>]`), relative to the log's prefix. */
export function tilePath(level: number | 'entries', index: number, width?: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index ${index}`);
  if (level !== 'entries' && (!Number.isInteger(level) || level < 0 || level > 63))
    throw new RangeError(`tile level ${level}`);
  const partial = width !== undefined && width < TILE_WIDTH ? `.p/${width}` : '';
  if (width !== undefined && (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH))
    throw new RangeError(`tile width ${width}`);
  return `tile/${level}/${indexPath(index)}${partial}`;
}

/** Reads `tile/<L>/<N>[.p/<W>]` (as `tilePath` writes it, nothing else); undefined if it is not one. */
export function parseTilePath(path: string): { level: number | 'entries'; index: number; width?: number } | undefined {
  const match = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!match) return undefined;
  const level = match[1] === 'entries' ? 'entries' : Number(match[1]);
  if (level !== 'entries' && level > 63) return undefined;
  const groups = (match[2] as string).split('/').map((g) => g.replace('x', ''));
  if (groups.length > 1 && groups[0] === '000') return undefined; // no leading zero groups
  const index = groups.reduce((n, g) => n * 1000 + Number(g), 0);
  if (!Number.isSafeInteger(index)) return undefined;
  const width = match[3] === undefined ? undefined : Number(match[3]);
  if (width !== undefined && width >= TILE_WIDTH) return undefined;
  return width === undefined ? { level, index } : { level, index, width };
}
