import { GatewayRefusal } from '../errors.ts';

/** A keyset position in the log, newest first: the last (start_time, id) a page showed. */
export interface Position {
  readonly t: number;
  readonly id: string;
}

/** Opaque to the client: base64url of `<start_time>.<id>`. It holds no personal data and no subject. */
export const encodeCursor = (p: Position): string => Buffer.from(`${p.t}.${p.id}`).toString('base64url');

export function decodeCursor(cursor: string, name = 'cursor'): Position {
  const [t, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (!t || !/^\d{1,16}$/.test(t) || !id || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new GatewayRefusal('invalidRequest', 'The cursor is not one this gateway gave out.', {
      invalidParams: [{ name, code: 'cursor', reason: 'Gebruik de cursor uit het vorige antwoord.' }],
    });
  }
  return { t: Number(t), id };
}
