import { type Kysely, sql } from 'kysely';

// Migrations take Kysely<unknown>: they must not depend on today's table types.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('oin', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('organisation_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('oin', 'varchar(20)', (c) => c.notNull().references('organisations.oin'))
    .addColumn('jwk', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['active', 'revoked'])))
    .addColumn('revoked_at', 'text')
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('organisation_keys_oin').on('organisation_keys').column('oin').execute();

  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_oin', 'varchar(20)', (c) => c.notNull().references('organisations.oin'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('gateway_url', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('field_catalogue', 'text', (c) => c.notNull())
    .addColumn('data_subject_paths', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('grondslagen')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('law_name', 'text', (c) => c.notNull())
    .addColumn('article', 'text', (c) => c.notNull())
    .addColumn('bwb_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('avg_basis', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('processing_activity_versions')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('doel', 'text', (c) => c.notNull())
    .addColumn('grondslag_ids', 'text', (c) => c.notNull())
    .addColumn('responsible_oin', 'varchar(20)', (c) => c.notNull().references('organisations.oin'))
    .addColumn('bewaartermijn', 'text', (c) => c.notNull())
    .addColumn('vertrouwelijkheid', 'text', (c) =>
      c.notNull().check(sqlIn('vertrouwelijkheid', ['normaal', 'vertrouwelijk', 'opgeheven'])),
    )
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('processing_activity_versions_pk', ['id', 'version'])
    .execute();

  await db.schema
    .createTable('autorisaties')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('afnemer_oin', 'varchar(20)', (c) => c.notNull().references('organisations.oin'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('processing_activity_id', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('search_types', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema
    .createIndex('autorisaties_lookup')
    .on('autorisaties')
    .columns(['afnemer_oin', 'service_id', 'processing_activity_id'])
    .execute();

  await db.schema
    .createTable('identity_providers')
    .addColumn('issuer', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('jwks', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('minimum_assurance', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('directory_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('serial', 'integer', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('registry_changes')
    .addColumn('serial', 'integer', (c) => c.primaryKey())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('admin_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'admin_tokens',
    'registry_changes',
    'directory_state',
    'identity_providers',
    'autorisaties',
    'processing_activity_versions',
    'grondslagen',
    'services',
    'organisation_keys',
    'organisations',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}

function sqlIn(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}
