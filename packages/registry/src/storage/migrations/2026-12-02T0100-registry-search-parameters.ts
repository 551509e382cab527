import { type Kysely, sql } from 'kysely';

/**
 * Every service declares its search parameters and the fields each selects on (issue 10): an
 * undeclared parameter is refused by the gateway. Services that already speak the BRP API get the
 * BRP's declaration (frozen here as it was when this migration was written), so that an existing
 * registry keeps answering searches.
 */
const BRP_PARAMETERS = [
  { name: 'burgerservicenummer', selects: ['burgerservicenummer'] },
  { name: 'gemeenteVanInschrijving', selects: ['gemeenteVanInschrijving'] },
  { name: 'inclusiefOverledenPersonen', selects: ['overlijden.datum'], neutral: false },
  { name: 'geboortedatum', selects: ['geboorte.datum'] },
  { name: 'geslachtsnaam', selects: ['naam.geslachtsnaam'] },
  { name: 'voornamen', selects: ['naam.voornamen'] },
  { name: 'voorvoegsel', selects: ['naam.voorvoegsel'] },
  { name: 'geslacht', selects: ['geslacht'] },
  { name: 'postcode', selects: ['verblijfplaats.verblijfadres.postcode'] },
  { name: 'huisnummer', selects: ['verblijfplaats.verblijfadres.huisnummer'] },
  { name: 'huisletter', selects: ['verblijfplaats.verblijfadres.huisletter'] },
  { name: 'huisnummertoevoeging', selects: ['verblijfplaats.verblijfadres.huisnummertoevoeging'] },
  { name: 'straat', selects: ['verblijfplaats.verblijfadres.officieleStraatnaam'] },
  { name: 'nummeraanduidingIdentificatie', selects: ['verblijfplaats.nummeraanduidingIdentificatie'] },
  { name: 'adresseerbaarObjectIdentificatie', selects: ['verblijfplaats.adresseerbaarObjectIdentificatie'] },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('services')
    .addColumn('search_parameters', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  const services = await sql<{ id: string; field_catalogue: string }>`
    select id, field_catalogue from services where protocol = 'brp-personen-v2'`.execute(db);
  for (const service of services.rows) {
    const catalogue = new Set((JSON.parse(service.field_catalogue) as { path: string }[]).map((f) => f.path));
    // Only what this service's catalogue can select on: a parameter left out stays refused.
    const declared = BRP_PARAMETERS.filter((p) => p.selects.every((path) => catalogue.has(path)));
    await sql`update services set search_parameters = ${JSON.stringify(declared)} where id = ${service.id}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('search_parameters').execute();
}
