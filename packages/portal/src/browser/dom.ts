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
