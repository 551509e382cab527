/** The actor of a change made with the admin token: the registry's operator. */
export const OPERATOR = 'operator';

/** Who changes the registry: the operator (admin token) or an organisation by its OIN (a signed request). */
export type Actor = typeof OPERATOR | (string & {});
