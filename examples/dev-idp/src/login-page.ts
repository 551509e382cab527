/** The dev identity provider's login page: pick a test person (plain Dutch, keyboard and screen reader friendly). */

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export interface TestPerson {
  readonly bsn: string;
  readonly name: string;
}

/** The hidden form members that carry the authorization request from page to page. */
const carried = (params: Readonly<Record<string, string>>) =>
  Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');

export function loginPage(options: {
  readonly warning: string;
  readonly params: Readonly<Record<string, string>>;
  readonly persons: readonly TestPerson[];
  readonly query: string;
  readonly error?: string;
}): string {
  const { params, persons, query } = options;
  const items = persons
    .map(
      (p) =>
        `<li><button type="submit" name="bsn" value="${escapeHtml(p.bsn)}">${escapeHtml(p.name)} <span class="bsn">BSN ${escapeHtml(p.bsn)}</span></button></li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inloggen met een testpersoon (ontwikkel-inlog)</title>
<style>
  body { font-family: system-ui, sans-serif; font-size: 1.125rem; line-height: 1.5; margin: 0 auto; max-width: 40rem; padding: 1rem; color: #1a1a1a; }
  .warning { border: 3px solid #a4001d; background: #fff0f0; padding: 0.75rem 1rem; border-radius: 4px; }
  .error { border-left: 6px solid #a4001d; padding: 0.5rem 1rem; background: #fff0f0; }
  ul { list-style: none; padding: 0; }
  li { margin: 0.5rem 0; }
  button, input { font: inherit; }
  button { width: 100%; text-align: left; padding: 0.75rem 1rem; border: 2px solid #154273; background: #fff; color: #154273; border-radius: 4px; cursor: pointer; }
  button:hover { background: #e8f0f8; }
  button:focus-visible, input:focus-visible { outline: 3px solid #ffb612; outline-offset: 2px; }
  .bsn { display: block; font-size: 1rem; color: #333; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input[type=search], input[type=text] { width: 100%; box-sizing: border-box; padding: 0.5rem; border: 2px solid #333; border-radius: 4px; }
  .row { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: end; }
  .row > * { flex: 1 1 12rem; }
  .row button { width: auto; flex: 0 0 auto; text-align: center; background: #154273; color: #fff; }
</style>
</head>
<body>
<main>
<h1>Inloggen met een testpersoon</h1>
<p class="warning"><strong>Let op:</strong> ${escapeHtml(options.warning)}</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="get" action="/authorize" role="search">
  ${carried(params)}
  <div class="row">
    <div><label for="q">Zoek op naam of BSN</label>
    <input id="q" type="search" name="q" value="${escapeHtml(query)}" autocomplete="off"></div>
    <button type="submit">Zoeken</button>
  </div>
</form>
<form method="post" action="/authorize">
  ${carried(params)}
  <h2>Kies een persoon</h2>
  ${persons.length > 0 ? `<ul>${items}</ul>` : '<p>Niemand gevonden. Zoek op een ander deel van de naam, of typ een BSN hieronder.</p>'}
  <div class="row">
    <div><label for="bsn-typed">Of typ een BSN</label>
    <input id="bsn-typed" type="text" name="bsn-typed" inputmode="numeric" autocomplete="off" pattern="[0-9]{9}" aria-describedby="bsn-hint">
    <span id="bsn-hint" class="bsn">9 cijfers</span></div>
    <button type="submit" name="bsn" value="">Inloggen</button>
  </div>
</form>
</main>
</body>
</html>`;
}
