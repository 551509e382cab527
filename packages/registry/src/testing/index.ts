export type { Dialect } from '../storage/open-database.ts';
export { DIALECTS, describeDialect, openTestDatabase } from './test-database.ts';
export { startTestRegistry, type TestRegistry } from './test-registry.ts';
