/**
 * The one rule for an e-mail address that poortwachter sends mail to: HTML's "valid e-mail address"
 * (the rule of a browser's `<input type="email">`, so a page and the gateway agree), at most 254
 * characters (RFC 5321's path limit). It admits no space, comma, angle bracket, quote or line break,
 * so an address is always exactly one recipient and can never add a header. Browser-safe.
 */
export const EMAIL_ADDRESS_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/** The longest address accepted (RFC 5321: a path of 256 octets, less its angle brackets). */
export const EMAIL_ADDRESS_MAX_LENGTH = 254;

/**
 * Whether `value` is an e-mail address mail can be sent to (see EMAIL_ADDRESS_PATTERN). A domain
 * needs a dot: an address on a bare host name is almost always a typing error.
 *
 * @example
 * isEmailAddress('suzanne@example.nl'); // true
 * isEmailAddress('a@b.nl, c@d.nl'); // false: two recipients
 */
export const isEmailAddress = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= EMAIL_ADDRESS_MAX_LENGTH && EMAIL_ADDRESS_PATTERN.test(value);
