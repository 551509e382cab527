// Preloaded with `node --import` before the CLI: every call of node:util's parseArgs first prints the
// option map it was given (name → type) on stderr, so a test sees what a command's parser accepts
// without asking the CLI's own definitions.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const util = createRequire(import.meta.url)('node:util');
const parseArgs = util.parseArgs;
util.parseArgs = (config) => {
  const options = Object.fromEntries(Object.entries(config?.options ?? {}).map(([name, o]) => [name, o.type]));
  process.stderr.write(`parseArgs options: ${JSON.stringify(options)}\n`);
  return parseArgs(config);
};
syncBuiltinESMExports();
