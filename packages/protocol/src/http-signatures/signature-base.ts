import {
  type BareItem,
  type InnerList,
  type Item,
  isInnerList,
  parseDictionary,
  parseItem,
  serializeInnerList,
  serializeItem,
} from 'structured-headers';
import { boundedCache } from '../bounded-cache.ts';
import { toBase64 } from '../bytes.ts';
import { HttpSignatureError } from './errors.ts';
import type { MessageView } from './message-view.ts';

export type { MessageView };

/** A covered component: its name and parameters (`"signature";key="sig1";req`). */
export type Component = Item;

/**
 * Parses a component written as in a `Signature-Input` (`"content-digest"`,
 * `"signature";key="sig1";req`); a bare name (`@method`, `content-digest`) is accepted too.
 */
export function component(text: string): Component {
  const item = parseItem(text.startsWith('"') ? text : `"${text}"`);
  if (typeof item[0] !== 'string') throw new HttpSignatureError('malformed', `Not a component identifier: ${text}`);
  return item;
}

const keyCache = new WeakMap<Component, string>();
/** A component name that serialises as itself in quotes (no escapes): every name this profile uses. */
const PLAIN_NAME = /^[a-z0-9@_.-]+$/;
/** The serialised form of a component (`"signature";key="sig1";req`), cached per parsed component. */
export function componentKey(c: Component): string {
  const [name, params] = c as [unknown, Map<string, BareItem>];
  if (params.size === 0 && typeof name === 'string' && PLAIN_NAME.test(name)) return `"${name}"`;
  let key = keyCache.get(c);
  if (key === undefined) {
    key = serializeItem(c);
    keyCache.set(c, key);
  }
  return key;
}

// A response signature bound to its request (`"signature";key="sig1";req`) reads a member of the
// request's Signature header, which the gateway parsed moments before to verify it (`verifyMessage`
// parses it through this cache): parsed headers are kept by their text (bounded, cleared when full).
// A parsed dictionary is shared, so nobody may change one.
const parsedDictionaries = boundedCache<ReturnType<typeof parseDictionary>>(1024);
export const parsedDictionary = (value: string) => parsedDictionaries(value, () => parseDictionary(value));

/** RFC 8941 keys, and the strings it can hold (printable ASCII). */
const KEY = /^[a-z*][*\-_.a-z0-9]*$/;
const ASCII = /^[\x20-\x7E]*$/;

/**
 * RFC 8941 §4.1.1.2 parameters, for the bare items signature parameters hold (integers, strings,
 * booleans), written directly; undefined for anything else, which the library then serialises. The
 * output is the library's, character for character (the tests compare both).
 */
function serializeSimpleParameters(params: Map<string, BareItem>): string | undefined {
  let out = '';
  for (const [key, value] of params) {
    if (!KEY.test(key)) return undefined;
    if (value === true) out += `;${key}`;
    else if (value === false) out += `;${key}=?0`;
    else if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 999_999_999_999_999) {
      out += `;${key}=${value}`;
    } else if (typeof value === 'string' && ASCII.test(value)) out += `;${key}="${value.replace(/["\\]/g, '\\$&')}"`;
    else return undefined;
  }
  return out;
}

/**
 * The serialised `@signature-params` value (`("@method" …);created=…;keyid="…"`): the Signature-Input
 * member and the base's last line.
 */
export function serializeSignatureParams(components: readonly Component[], params: Map<string, BareItem>): string {
  const simple = serializeSimpleParameters(params);
  if (simple === undefined) return serializeInnerList([components as Item[], params]);
  return `(${components.map(componentKey).join(' ')})${simple}`;
}

/** A dictionary member as it serialises: a byte sequence without parameters (a signature) directly. */
function serializeMember(member: Item | InnerList): string {
  if (isInnerList(member)) return serializeInnerList(member as InnerList);
  const [value, params] = member as [BareItem, Map<string, BareItem>];
  if (value instanceof ArrayBuffer && params.size === 0) return `:${toBase64(new Uint8Array(value))}:`;
  return serializeItem(member as Item);
}

function derived(name: string, message: MessageView, params: Map<string, BareItem>): string {
  const url = () => {
    if (!message.targetUri) throw new HttpSignatureError('missingComponent', `${name} needs the target URI.`);
    return new URL(message.targetUri);
  };
  switch (name) {
    case '@method':
      if (!message.method) throw new HttpSignatureError('missingComponent', '@method needs a request.');
      return message.method.toUpperCase();
    case '@target-uri':
      return url().href;
    case '@authority':
      return url().host.toLowerCase();
    case '@path':
      return url().pathname;
    case '@query':
      return url().search || '?';
    case '@status':
      if (params.has('req') || message.status === undefined) {
        throw new HttpSignatureError('missingComponent', '@status needs a response.');
      }
      return String(message.status);
    default:
      throw new HttpSignatureError('malformed', `Derived component ${name} is not supported.`);
  }
}

function fieldValue(name: string, message: MessageView, params: Map<string, BareItem>): string {
  const raw = message.header(name);
  if (raw === null) throw new HttpSignatureError('missingComponent', `The message has no ${name} header.`);
  // Multiple values are combined with ", " by the Fetch Headers API; trim surrounding space (§2.1).
  const value = raw.trim();
  const key = params.get('key');
  if (typeof key !== 'string') return value;
  const member = parsedDictionary(value).get(key);
  if (!member) throw new HttpSignatureError('missingComponent', `${name} has no member ${key}.`);
  return serializeMember(member);
}

/**
 * The RFC 9421 §2.5 signature base for the covered components and signature parameters. With `;req`
 * a component is taken from `request` (a response signature bound to its request, §2.4).
 */
export function signatureBase(
  components: readonly Component[],
  signatureParams: Map<string, BareItem>,
  message: MessageView,
  request?: MessageView,
): string {
  return signatureBaseAndParams(components, signatureParams, message, request).base;
}

/** The signature base, and the serialised signature parameters (its last line: the `Signature-Input` member). */
export function signatureBaseAndParams(
  components: readonly Component[],
  signatureParams: Map<string, BareItem>,
  message: MessageView,
  request?: MessageView,
): { base: string; params: string } {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const c of components) {
    const [name, params] = c as [string, Map<string, BareItem>];
    const key = componentKey(c);
    if (seen.has(key)) throw new HttpSignatureError('malformed', `Component ${key} is covered twice.`);
    seen.add(key);
    let source = message;
    if (params.has('req')) {
      if (!request) throw new HttpSignatureError('missingComponent', `${key} needs the request.`);
      source = request;
    }
    const value = name.startsWith('@') ? derived(name, source, params) : fieldValue(name, source, params);
    if (/[\r\n]/.test(value)) throw new HttpSignatureError('malformed', `Component ${key} contains a line break.`);
    lines.push(`${key}: ${value}`);
  }
  const params = serializeSignatureParams(components, signatureParams);
  lines.push(`"@signature-params": ${params}`);
  return { base: lines.join('\n'), params };
}
