/** A small element builder: text goes in as text nodes, never as HTML, so no data can inject markup. */
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** Replaces the children of `parent`. */
export function show(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren(...children.flat().flatMap((c) => (c === null || c === undefined || c === false ? [] : [c])));
}

/** Offers `text` as a file to save, without a server in between. */
export function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Prints one section of the page: the print stylesheet hides the others while `data-print` names it. */
export function printOnly(section: string): void {
  document.body.dataset.print = section;
  addEventListener('afterprint', () => delete document.body.dataset.print, { once: true });
  window.print();
}
