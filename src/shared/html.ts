/**
 * Server-rendered HTML (the review pages, the printable statements): every value is escaped unless
 * it is already Html.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A tagged template whose ${values} are escaped unless they are already Html. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += (Array.isArray(v) ? v.map((x) => (x instanceof Html ? x.text : escapeHtml(x))).join('') : v instanceof Html ? v.text : escapeHtml(v)) + strings[i + 1]!;
  });
  return new Html(out);
}
