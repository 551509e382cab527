/**
 * Just enough DER (X.690) to write an X.509 certificate: the demo CA's and the test certificates an
 * organisation key is anchored with. Reading certificates is node:crypto's X509Certificate, but for
 * what it does not show (the issuer's Name as bytes, the keyUsage bits): `element` and `childrenOf`.
 */

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};

export const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
export const set = (...items: Buffer[]) => tlv(0x31, ...items);
export const explicit = (n: number, item: Buffer) => tlv(0xa0 + n, item);
export const octetString = (bytes: Buffer) => tlv(0x04, bytes);
export const bitString = (bytes: Buffer) => tlv(0x03, Buffer.from([0]), bytes);
export const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
export const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
export const printable = (text: string) => tlv(0x13, Buffer.from(text, 'ascii'));

/** A non-negative INTEGER from big-endian bytes (a leading zero added when the top bit is set). */
export function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5). */
export function time(at: Date): Buffer {
  const iso = at
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}/, '');
  return at.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(iso, 'ascii'));
}

/** One DER element at `at` in `buffer`: its tag, where its content starts and where it ends. */
export interface DerElement {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** Reads the DER element at `at` (its header; the content is `buffer.subarray(contentStart, end)`). */
export function element(buffer: Buffer, at: number): DerElement {
  const tag = buffer[at] ?? 0;
  const first = buffer[at + 1] ?? 0;
  if (first < 0x80) return { tag, start: at, contentStart: at + 2, end: at + 2 + first };
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (buffer[at + 2 + i] ?? 0);
  return { tag, start: at, contentStart: at + 2 + n, end: at + 2 + n + len };
}

/** The elements inside the constructed element `parent` (a SEQUENCE, SET or explicit tag). */
export function childrenOf(buffer: Buffer, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  for (let i = parent.contentStart; i < parent.end && i < buffer.length; ) {
    const child = element(buffer, i);
    if (child.end > parent.end) break;
    out.push(child);
    i = child.end;
  }
  return out;
}
