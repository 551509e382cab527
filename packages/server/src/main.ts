#!/usr/bin/env node
/**
 * `poortwachter-server <role> [argument …]`: starts one server of a deployment (see roles.ts) as if its
 * entry had been started itself, `node <entry> [argument …]`: the entry sees its own path as
 * `process.argv[1]` (so the gateway's workers fork the entry) and the arguments after the role. Each
 * entry reads its own settings from the environment.
 *
 * @example
 * DATA_DIR=/var/lib/poortwachter node dist/main.js registry
 * node dist/main.js cli log verify --help
 */
import { fileURLToPath } from 'node:url';
import { isRole, ROLES } from './roles.ts';

const role = process.argv[2];
if (!isRole(role)) {
  const given = role === undefined ? 'no role' : `role ${JSON.stringify(role)}`;
  console.error(`poortwachter-server: ${given}; give one of ${Object.keys(ROLES).join(', ')}`);
  process.exit(2);
}
// The entry's start hints name the CLI as it runs here (`node dist/main.js cli`): LAUNCHER_VARIABLE and
// cliCommandHere in @poortwachter/operations.
process.env.POORTWACHTER_LAUNCHER = fileURLToPath(import.meta.url);
const entry = import.meta.resolve(ROLES[role]);
process.argv.splice(1, 2, fileURLToPath(entry));
await import(entry);
