/**
 * Web addresses in names and comments made unclickable. Slack's mrkdwn and most mail programs (in
 * the HTML part and in plain text alike) turn a bare `https://…`, `www.…` or `evil.example/login`
 * into a link, so a name chosen by an outsider could otherwise become a link in the thread or in a
 * mail that carries the MSP's name. The scheme is written `hxxp(s)` and each dot of a host name
 * `[.]`, the usual way of quoting an address without linking it: it still reads as what was typed.
 *
 * Only values from outside go through here (names, organization, ticket, comment), never the
 * links the program writes itself. An email address on its own is left as it is: at most it
 * becomes a `mailto:` link, and people need to read and copy it.
 *
 * Values can be long and are chosen by outsiders: every step here takes time in proportion to the
 * text's length (no pattern that can backtrack over a long run).
 */

const SCHEME = /\b(h)tt(ps?)(:\/\/)/gi;
/** A run of characters that host names are made of, dots included (one class: matched in one pass). */
const HOST_RUN = /[\p{L}\p{N}.-]+/gu;
/** A dot between two characters of a label. */
const INNER_DOT = /(?<=[\p{L}\p{N}-])\.(?=[\p{L}\p{N}-])/gu;
const LABEL = /^[\p{L}\p{N}-]+$/u;
/** A top-level domain starts with two letters (`1.5`, `v2.0`, `J.R.` and times are no host names). */
const TOP_LEVEL = /^\p{L}{2}/u;

/** The text with web addresses made unclickable (see above); everything else as it was. */
export function defang(text: string): string {
  if (!text.includes('.') && !text.includes('://')) return text;
  return text
    .split(/(\s+)/)
    .map((word) => (isEmailAddress(word) ? word : defangHosts(word.replace(SCHEME, '$1xx$2$3'))))
    .join('');
}

function defangHosts(word: string): string {
  return word.replace(HOST_RUN, (run) => {
    if (!run.includes('.')) return run;
    const labels = run.split('.').filter((label) => label !== '');
    if (labels.length < 2 || !TOP_LEVEL.test(labels[labels.length - 1]!)) return run;
    return run.replace(INNER_DOT, '[.]');
  });
}

/** Brackets and punctuation around a word (also as Slack's entities `&lt;`, `&gt;`). */
const OPENERS = ['&lt;', '<', '(', '"', "'", '“', '‘'];
const CLOSERS = ['&gt;', '>', ')', '"', "'", '”', '’', '.', ',', ';', ':', '!', '?'];

function trimmed(word: string): string {
  let start = 0;
  let end = word.length;
  for (let opener = OPENERS.find((o) => word.startsWith(o, start)); opener; opener = OPENERS.find((o) => word.startsWith(o, start))) {
    start += opener.length;
  }
  const closerAt = (c: string) => end - c.length >= start && word.endsWith(c, end);
  for (let closer = CLOSERS.find(closerAt); closer; closer = CLOSERS.find(closerAt)) end -= closer.length;
  return word.slice(start, end);
}

/** `name@host.domain`, alone in its word but for brackets and punctuation around it. */
function isEmailAddress(word: string): boolean {
  if (!word.includes('@')) return false;
  const core = trimmed(word);
  const at = core.indexOf('@');
  if (at <= 0 || at !== core.lastIndexOf('@') || /[<>()[\]/:]/.test(core.slice(0, at))) return false;
  const labels = core.slice(at + 1).split('.');
  return labels.length >= 2 && labels.every((label) => LABEL.test(label)) && TOP_LEVEL.test(labels[labels.length - 1]!);
}
