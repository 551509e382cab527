import type { Grant, ReleasedPerson } from '../../pipeline/context.ts';
import { type AutomaticField, projectPerson, valuesAt } from '../../protocol/project-fields.ts';

type Person = Record<string, unknown>;

/**
 * Minimises every person of the source's answer to the released paths and the automatic fields that
 * apply to them (defence in depth: whatever the source sent beyond them stays here) and pairs each
 * with its data-subject id.
 */
export function releasePersonen(
  grant: Grant,
  personen: readonly Person[],
  automaticFields: readonly AutomaticField[] = [],
): ReleasedPerson[] {
  // `personen.burgerservicenummer` → the id sits at `burgerservicenummer` in each element of `personen`.
  const idPaths = grant.service.dataSubjectPaths.map((p) => p.split('.').slice(1).join('.'));
  return personen.map((person) => {
    const { value: released, delivered } = projectPerson(person, grant.releasedFields, automaticFields);
    const subjectId = idPaths.flatMap((p) => valuesAt(person, p)).find((v): v is string => typeof v === 'string');
    const releasedFields = [...grant.releasedFields.filter((f) => valuesAt(released, f).length > 0), ...delivered];
    return { released, subjectId, releasedFields };
  });
}

/** The BRP profile's answer as released: each person minimised (`releasePersonen`), in the spec's envelope. */
export function releaseBrp(
  grant: Grant,
  answer: { readonly type: string; readonly personen: readonly Person[] },
  automaticFields: readonly AutomaticField[] = [],
): { people: ReleasedPerson[]; body: Record<string, unknown> } {
  const people = releasePersonen(grant, answer.personen, automaticFields);
  return { people, body: { type: answer.type, personen: people.map((p) => p.released) } };
}
