import { kinds, serverSettings } from '@poortwachter/operations';

/** The development mailbox's settings (README: Configuration). Not for production. */
export const devMailSettings = {
  ...serverSettings(8311),
  DEV_MAIL_SMTP_PORT: kinds.port({
    description: "The port its SMTP server takes mail on (the inways' `SMTP_URL` in `pnpm start`).",
    default: '8312',
  }),
};
