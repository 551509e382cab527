import { ProblemError } from '@poortwachter/protocol';
import { type Actor, OPERATOR } from './actor.ts';

/**
 * A record a request wants to change, as the one rule below sees it: which organisations own it, and
 * whether it is a registry-wide record the operator keeps (onboarding, grondslagen, identity providers,
 * publishing services).
 */
export interface ChangeTarget {
  /** What is changed, in words, for the refusal: "verwerkingsactiviteit X", "the keys of Y". */
  readonly what: string;
  /** The OINs whose record it is (before and after the change); an organisation must be every one. */
  readonly owners: readonly string[];
  /** Whether the admin token may change it. */
  readonly operator: boolean;
}

/**
 * Decides who may change a record, the one place for it: the operator (admin token) may change what
 * `operator` allows; an organisation (a request signed with its key) only records that it alone owns.
 * Anything else is a 403 naming why.
 *
 * @example
 * authoriseChange('00000001234567890000', { what: 'organisatie X', owners: ['00000001234567890000'], operator: false });
 */
export function authoriseChange(actor: Actor, target: ChangeTarget): void {
  if (actor === OPERATOR) {
    if (target.operator) return;
    throw new ProblemError(
      'unauthorized',
      `The admin token onboards organisations and keeps registry-wide records; ${target.what} is changed by ${ownersText(target)} with a request signed with its organisation key.`,
    );
  }
  const owners = [...new Set(target.owners)];
  if (owners.length > 0 && owners.every((oin) => oin === actor)) return;
  if (owners.length === 0)
    throw new ProblemError('unauthorized', `Only the registry's operator changes ${target.what} (admin token).`);
  throw new ProblemError(
    'unauthorized',
    `Organisation ${actor} may change only its own records; ${target.what} belongs to ${ownersText(target)}.`,
  );
}

const ownersText = (target: ChangeTarget) =>
  target.owners.length === 0 ? 'the operator' : [...new Set(target.owners)].join(' and ');
