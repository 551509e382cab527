import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSettingsDocs, withSettingsDocs } from './settings-docs.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe("README.md's settings tables", () => {
  it('are what the servers read: rendered from their schemas (pnpm settings:docs writes them)', () => {
    expect(readme).toBe(withSettingsDocs(readme));
  });

  it('name every setting with what it accepts and its default', () => {
    // As a reader sees the rows: the padding that lines the columns up left out.
    const tables = renderSettingsDocs().replace(/ +\|/g, ' |');
    expect(tables).toContain('| `POORTWACHTER_DEMO` | true or false | `false` |');
    expect(tables).toContain('| `DATABASE_URL` (or `DATABASE_URL_FILE`) | sqlite:&lt;path&gt; or postgres://');
    expect(tables).toContain('| `IDP_DEVELOPMENT` | true or false | `false` |');
    expect(tables).toContain(
      '| `REGISTRY_URL` | an http or https URL without query or fragment | `http://localhost:8300` |',
    );
  });
});
