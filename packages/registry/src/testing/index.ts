export { DIALECTS, openTestDatabase } from './test-database.ts';
export { startTestRegistry, type TestRegistry } from './test-registry.ts';
