import { kinds, serverSettings } from '@poortwachter/operations';

/** The example BRK source's settings (README: Configuration). */
export const brkSourceSettings = {
  ...serverSettings(8308),
  BRK_SOURCE_PUBLIC_URL: kinds.url({
    description: 'The URL its links start with.',
    shownDefault: '`http://localhost:<PORT>`',
  }),
  BRP_PUBLIC_URL: kinds.url({
    description: 'Where links to persons with a BSN point (the example BRP source).',
    default: 'http://localhost:8301',
  }),
};
