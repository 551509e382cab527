import { GatewayRefusal } from '@poortwachter/protocol';
import type { Context } from 'hono';
import type { GrantBase } from '../../pipeline/authorise.ts';
import type { GatewayEnv, Grant } from '../../pipeline/context.ts';
import { decideFields, decideParameters } from '../../pipeline/field-authorisation.ts';
import type { BrpQuery } from './brp-query.ts';

/** The BRP profile's query (`POST /personen`): the spec, the search type, parameters and fields. */
export function brpGrant(c: Context<GatewayEnv>, base: GrantBase, brpQuery: BrpQuery | undefined): Grant {
  const { autorisatie, service } = base;
  const directory = c.get('directory');
  if (!brpQuery) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
  const query = brpQuery.parse(c.get('body'));
  if (!autorisatie.searchTypes.includes(query.type)) {
    throw new GatewayRefusal('unauthorizedParameter', `Niet geautoriseerd voor de zoekvraag ${query.type}.`, {
      invalidParams: [
        {
          name: 'type',
          code: 'unauthorizedParameter',
          reason: 'Niet geautoriseerd voor deze zoekvraag.',
        },
      ],
    });
  }
  const parameters = decideParameters(
    query,
    directory.searchParameters.get(service.id) ?? new Map(),
    autorisatie.fields,
  );
  if (parameters.length > 0) {
    throw new GatewayRefusal(
      'unauthorizedParameter',
      `Niet geautoriseerd om te zoeken met ${parameters.map((p) => p.name).join(', ')}.`,
      { invalidParams: parameters },
    );
  }
  const decision = decideFields(query.fields, autorisatie.fields, directory.cataloguePaths.get(service.id) ?? []);
  if (decision.refused.length > 0) {
    throw new GatewayRefusal(
      'unauthorizedField',
      `Niet geautoriseerd voor ${decision.refused.length} van de gevraagde velden.`,
      { invalidParams: decision.refused },
    );
  }
  return { ...base, searchType: query.type, query, releasedFields: decision.released };
}

/**
 * The BRP profile's query for a citizen's own data: `operation` (`RaadpleegMetBurgerservicenummer`)
 * for their BSN with `fields` (what `ownFields` lets them see that can be asked for), decided against
 * the grant's autorisatie as an afnemer's query is (the automatic fields come with it as with any).
 */
export function brpOwnGrant(base: GrantBase, operation: string, bsn: string, catalogue: readonly string[]): Grant {
  const fields = [...base.autorisatie.fields];
  const decision = decideFields(fields, base.autorisatie.fields, catalogue);
  if (decision.refused.length > 0)
    throw new GatewayRefusal('internal', 'De velden voor inzage door de betrokkene staan niet in de catalogus.');
  const query = { type: operation, burgerservicenummer: [bsn], fields };
  return { ...base, searchType: operation, query, releasedFields: decision.released };
}
