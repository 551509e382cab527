/**
 * The parts of an HTTP message a signature can cover. Header lookups are case-insensitive. (A module of
 * its own so that the published declarations of the signing API need no other package's types: they
 * then resolve under TypeScript's old `node10` resolution too.)
 */
export interface MessageView {
  readonly method?: string;
  /** The full target URI, as the signer addressed it (`https://gateway.example/personen?x=1`). */
  readonly targetUri?: string;
  readonly status?: number;
  header(name: string): string | null;
}
