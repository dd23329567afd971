/**
 * HTML that escapes whatever it prints: the `html` template tag escapes every interpolated value
 * unless it is already `Html` (built by the tag itself). Mails and the approval pages use it.
 */

export class Html {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A printed value: Html as it is, lists item by item, nothing for null, undefined and false. */
type Printable = Html | string | number | null | undefined | false | readonly Printable[];

function print(value: Printable): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(print).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Printable[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += print(value) + strings[i + 1]!;
  });
  return new Html(out);
}
