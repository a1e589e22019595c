/** Small typed helpers over the page's DOM. */

/** The first element matching `selector` (in `root`), typed by the caller. */
export function $<E extends Element = HTMLElement>(selector: string, root: ParentNode = document): E | null {
  return root.querySelector<E>(selector);
}

/** Every element matching `selector`. */
export function $$<E extends Element = HTMLElement>(selector: string, root: ParentNode = document): E[] {
  return Array.from(root.querySelectorAll<E>(selector));
}

/** Show an outcome line: ok (green), error (red), or pending (`ok` null). */
export function say(el: Element | null, ok: boolean | null, text: string): void {
  if (!el) return;
  el.textContent = text;
  el.className = `result ${ok === null ? "pending" : ok ? "ok" : "error"}`;
}

/** The reader this page is about (`<body data-reader>`), "" on the readers page. */
export function pageReader(): string {
  return document.body.dataset.reader ?? "";
}

/** `/api/cards/<reader>/<rest>` and the like, the reader name encoded. */
export function cardUrl(prefix: string, reader: string, rest = ""): string {
  return `${prefix}/cards/${encodeURIComponent(reader)}${rest}`;
}
