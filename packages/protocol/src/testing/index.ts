export { readCsv } from './read-csv.ts';
export { ed25519KeyPair, messageView } from './signing.ts';
