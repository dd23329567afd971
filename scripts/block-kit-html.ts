/**
 * Block Kit as Slack-like HTML, for the README's pictures (scripts/pictures.ts): the block types
 * and elements invite-lite's views use (header, section with text, fields and an accessory,
 * context, actions, divider, input with selects, radio buttons, checkboxes and text inputs), basic
 * mrkdwn (*bold*, _italic_, ~strike~, `code`, links, mentions, dates, emoji, line breaks), and the
 * chrome around them: a modal, a thread of messages, an App Home tab.
 *
 * Every piece of text is escaped into the HTML (src/html.ts); nothing is fetched.
 */
import { escapeHtml, Html, html } from '../src/html';

/** What the renderer needs to know of the workspace a picture shows. */
export interface Workspace {
  /** "now" for dates shown as "Today" / "Yesterday" (ms since the epoch). */
  now: number;
  /** Display names by Slack user ID, for `<@U…>` mentions. */
  users: Readonly<Record<string, string>>;
  /** Handles by user group ID, for `<!subteam^S…>` mentions. */
  usergroups?: Readonly<Record<string, string>>;
  /** The app's name and the initials on its avatar. */
  app: { name: string; initials: string };
}

interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}

interface OptionObject {
  text: TextObject;
  value?: string;
  description?: TextObject;
}

interface Element {
  type: string;
  text?: TextObject;
  style?: 'primary' | 'danger';
  placeholder?: TextObject;
  options?: OptionObject[];
  option_groups?: Array<{ options: OptionObject[] }>;
  initial_option?: OptionObject;
  initial_options?: OptionObject[];
  initial_value?: string;
  initial_user?: string;
  initial_users?: string[];
  multiline?: boolean;
  image_url?: string;
  alt_text?: string;
}

interface Block {
  type: string;
  text?: TextObject;
  fields?: TextObject[];
  accessory?: Element;
  elements?: Array<Element | TextObject>;
  label?: TextObject;
  hint?: TextObject;
  optional?: boolean;
  element?: Element;
}

/** Blocks as the project's builders return them (KnownBlock and friends). */
export type Blocks = readonly object[];

/** The emoji the project's messages use, by Slack short name. */
const EMOJI: Readonly<Record<string, string>> = {
  arrow_forward: '▶️',
  ballot_box_with_check: '☑️',
  bell: '🔔',
  bust_in_silhouette: '👤',
  busts_in_silhouette: '👥',
  closed_lock_with_key: '🔐',
  email: '📧',
  gear: '⚙️',
  hammer_and_wrench: '🛠️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  information_source: 'ℹ️',
  lock: '🔒',
  mag: '🔍',
  memo: '📝',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  outbox_tray: '📤',
  repeat: '🔁',
  rotating_light: '🚨',
  small_blue_diamond: '🔹',
  tada: '🎉',
  warning: '⚠️',
  white_check_mark: '✅',
  wrench: '🔧',
  x: '❌',
};

/** Slack's entities back to characters (what Slack shows). */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const UTC = 'UTC';
const DAY = 86_400_000;
const dayOf = (ms: number) => Math.floor(ms / DAY);

/** Slack's `<!date^…>` tokens, in UTC. */
function slackDateText(seconds: number, format: string, now: number): string {
  const date = new Date(seconds * 1000);
  const part = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone: UTC, ...options }).format(date);
  const day = date.getUTCDate();
  const ordinal = `${day}${[11, 12, 13].includes(day % 100) ? 'th' : (['th', 'st', 'nd', 'rd'][day % 10] ?? 'th')}`;
  const dateLong = `${part({ weekday: 'long' })}, ${part({ month: 'long' })} ${ordinal}, ${date.getUTCFullYear()}`;
  const dateMedium = `${part({ month: 'long' })} ${ordinal}, ${date.getUTCFullYear()}`;
  const dateShort = part({ month: 'short', day: 'numeric', year: 'numeric' });
  const pretty = (otherwise: string) => {
    const days = dayOf(seconds * 1000) - dayOf(now);
    return days === 0 ? 'Today' : days === -1 ? 'Yesterday' : days === 1 ? 'Tomorrow' : otherwise;
  };
  const tokens: Record<string, string> = {
    date_num: date.toISOString().slice(0, 10),
    date: dateMedium,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: pretty(dateMedium),
    date_short_pretty: pretty(dateShort),
    date_long_pretty: pretty(dateLong),
    time: part({ hour: 'numeric', minute: '2-digit' }),
    time_secs: part({ hour: 'numeric', minute: '2-digit', second: '2-digit' }),
  };
  return format.replace(/\{(\w+)\}/g, (whole, token: string) => tokens[token] ?? whole);
}

/** What Slack shows for `<…>`: a link, a mention, a date. */
function angle(inner: string, ws: Workspace): Html {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? null : inner.slice(bar + 1);
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return html`<span class="mention">@${ws.users[id] ?? label ?? id}</span>`;
  }
  if (target.startsWith('#')) return html`<span class="mention">#${label ?? target.slice(1)}</span>`;
  if (target.startsWith('!subteam^')) {
    const id = target.slice('!subteam^'.length);
    return html`<span class="mention">@${ws.usergroups?.[id] ?? label ?? id}</span>`;
  }
  if (target.startsWith('!date^')) {
    const [, seconds, format] = target.split('^');
    const at = Number(seconds);
    return Number.isFinite(at) && format ? html`${slackDateText(at, format, ws.now)}` : html`${unescapeSlack(label ?? '')}`;
  }
  if (target.startsWith('!')) return html`<span class="mention">@${target.slice(1)}</span>`;
  const href = unescapeSlack(target);
  return html`<a href="${href}">${label === null ? href : inline(label, ws, false)}</a>`;
}

/** One run of mrkdwn (no line breaks of its own): code, `<…>`, emoji, then *bold*, _italic_ and ~strike~. */
function inline(text: string, ws: Workspace, angles = true): Html {
  const slots: Html[] = [];
  const slot = (piece: Html) => `\u0001${slots.push(piece) - 1}\u0002`;
  let rest = text.replace(/`([^`\n]+)`/g, (_, code: string) => slot(html`<code>${unescapeSlack(code)}</code>`));
  if (angles) rest = rest.replace(/<([^<>\n]+)>/g, (_, inner: string) => slot(angle(inner, ws)));
  rest = rest.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => (EMOJI[name] ? slot(html`<span class="emoji">${EMOJI[name]}</span>`) : whole));
  // From here on the text is HTML: escaped first, then only the tags of the formatting are added.
  let out = escapeHtml(unescapeSlack(rest));
  out = out
    .replace(/(?<![\p{L}\p{N}*])\*([^\s*](?:[^*\n]*?[^\s*])?)\*(?![\p{L}\p{N}*])/gu, '<b>$1</b>')
    .replace(/(?<![\p{L}\p{N}_])_([^\s_](?:[^_\n]*?[^\s_])?)_(?![\p{L}\p{N}_])/gu, '<i>$1</i>')
    .replace(/(?<![\p{L}\p{N}~])~([^\s~](?:[^~\n]*?[^\s~])?)~(?![\p{L}\p{N}~])/gu, '<s>$1</s>');
  out = out.replace(/\u0001(\d+)\u0002/g, (_, i: string) => slots[Number(i)]!.value);
  return new Html(out);
}

/** Slack mrkdwn as HTML. */
export function mrkdwn(text: string, ws: Workspace): Html {
  return html`${text.split('\n').map((line, i) => html`${i > 0 ? html`<br>` : ''}${inline(line, ws)}`)}`;
}

/** A text object: mrkdwn, or plain text (where Slack still shows emoji short names as emoji). */
function textOf(t: TextObject | undefined, ws: Workspace): Html {
  if (!t) return html``;
  if (t.type === 'mrkdwn') return mrkdwn(t.text, ws);
  const withEmoji = t.text.split(/(:[a-z0-9_+-]+:)/g).map((part) => {
    const emoji = /^:([a-z0-9_+-]+):$/.exec(part)?.[1];
    return emoji && EMOJI[emoji] ? html`<span class="emoji">${EMOJI[emoji]}</span>` : html`${part}`;
  });
  return html`${withEmoji}`;
}

const CHEVRON = new Html(
  '<svg class="chevron" viewBox="0 0 20 20" aria-hidden="true"><path d="M5.5 7.5 10 12l4.5-4.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>',
);

function selectBox(e: Element, ws: Workspace): Html {
  const chosen = e.initial_options ?? (e.initial_option ? [e.initial_option] : []);
  const users = e.initial_users ?? (e.initial_user ? [e.initial_user] : []);
  let value: Html;
  if (chosen.length > 0 && e.type.startsWith('multi_')) value = html`${chosen.map((o) => html`<span class="token">${textOf(o.text, ws)}</span>`)}`;
  else if (chosen.length > 0) value = html`<span class="value">${textOf(chosen[0]!.text, ws)}</span>`;
  else if (users.length > 0) value = html`${users.map((u) => html`<span class="token">@${ws.users[u] ?? u}</span>`)}`;
  else value = html`<span class="placeholder">${e.placeholder ? textOf(e.placeholder, ws) : 'Select an item'}</span>`;
  return html`<div class="select">${value}${CHEVRON}</div>`;
}

function choices(e: Element, ws: Workspace, kind: 'radio' | 'checkbox'): Html {
  const chosen = new Set((e.initial_options ?? (e.initial_option ? [e.initial_option] : [])).map((o) => o.value));
  return html`<div class="choices">${(e.options ?? []).map(
    (o) =>
      html`<div class="choice"><span class="${kind}${chosen.has(o.value) ? ' checked' : ''}"></span><span>${textOf(o.text, ws)}${
        o.description ? html`<span class="description">${textOf(o.description, ws)}</span>` : ''
      }</span></div>`,
  )}</div>`;
}

function element(e: Element, ws: Workspace): Html {
  switch (e.type) {
    case 'button':
      return html`<span class="button${e.style ? ` ${e.style}` : ''}">${textOf(e.text, ws)}</span>`;
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'multi_static_select':
    case 'multi_external_select':
    case 'multi_users_select':
      return selectBox(e, ws);
    case 'radio_buttons':
      return choices(e, ws, 'radio');
    case 'checkboxes':
      return choices(e, ws, 'checkbox');
    case 'plain_text_input': {
      const shown = e.initial_value ? html`<span class="value">${e.initial_value}</span>` : html`<span class="placeholder">${textOf(e.placeholder, ws)}</span>`;
      return html`<div class="text-input${e.multiline ? ' multiline' : ''}">${shown}</div>`;
    }
    case 'overflow':
      return html`<span class="button overflow">⋯</span>`;
    case 'image':
      return html`<span class="image" title="${e.alt_text ?? ''}"></span>`;
    default:
      return html`<span class="unknown">[${e.type}]</span>`;
  }
}

function block(b: Block, ws: Workspace): Html {
  switch (b.type) {
    case 'header':
      return html`<div class="block header">${textOf(b.text, ws)}</div>`;
    case 'divider':
      return html`<hr class="block divider">`;
    case 'section': {
      const text = b.text ? html`<div class="text">${textOf(b.text, ws)}</div>` : '';
      const fields = b.fields?.length ? html`<div class="fields">${b.fields.map((f) => html`<div class="field">${textOf(f, ws)}</div>`)}</div>` : '';
      const accessory = b.accessory ? html`<div class="accessory">${element(b.accessory, ws)}</div>` : '';
      return html`<div class="block section"><div class="main">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context':
      return html`<div class="block context">${(b.elements ?? []).map((e) =>
        e.type === 'mrkdwn' || e.type === 'plain_text' ? html`<span>${textOf(e as TextObject, ws)}</span>` : element(e as Element, ws),
      )}</div>`;
    case 'actions':
      return html`<div class="block actions">${(b.elements ?? []).map((e) => element(e as Element, ws))}</div>`;
    case 'input': {
      const optional = b.optional ? html` <span class="optional">(optional)</span>` : '';
      const hint = b.hint ? html`<div class="hint">${textOf(b.hint, ws)}</div>` : '';
      return html`<div class="block input"><div class="label">${textOf(b.label, ws)}${optional}</div>${b.element ? element(b.element, ws) : ''}${hint}</div>`;
    }
    default:
      return html`<div class="block unknown">[${b.type} block]</div>`;
  }
}

export function blocksHtml(blocks: Blocks, ws: Workspace): Html {
  return html`<div class="blocks">${(blocks as readonly Block[]).map((b) => block(b, ws))}</div>`;
}

/** The grey around a modal, on each side (px). */
const BACKDROP = 16;

const STYLE = `
*{box-sizing:border-box}
html,body{margin:0}
body{background:#f8f8f8;color:#1d1c1d;font:15px/1.46668 Lato,"Helvetica Neue",Helvetica,Arial,sans-serif;-webkit-font-smoothing:antialiased}
a{color:#1264a3;text-decoration:none}
b{font-weight:700}
code{font:12px/1.5 "DejaVu Sans Mono",Menlo,Consolas,monospace;color:#c01343;background:rgba(29,28,29,.04);border:1px solid rgba(29,28,29,.13);border-radius:3px;padding:1px 3px}
.emoji{font-family:"Noto Color Emoji","Apple Color Emoji",sans-serif;font-size:1.08em;line-height:1;vertical-align:-1px}
.mention{color:#1264a3;background:rgba(29,155,209,.1);border-radius:3px;padding:0 2px}
.blocks{display:flex;flex-direction:column;gap:8px}
.block{margin:0}
.header{font-size:18px;font-weight:900;line-height:1.33;margin-top:4px}
.divider{border:0;border-top:1px solid rgba(29,28,29,.13);margin:8px 0}
.section{display:flex;gap:12px;align-items:flex-start}
.section .main{flex:1;min-width:0;overflow-wrap:anywhere}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;margin-top:4px}
.text+.fields{margin-top:8px}
.context{display:flex;flex-wrap:wrap;gap:4px 12px;font-size:12px;line-height:1.5;color:#616061}
.context code{font-size:11px}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:4px}
.button{display:inline-flex;align-items:center;height:28px;padding:0 12px;border:1px solid rgba(29,28,29,.3);border-radius:4px;background:#fff;font-size:13px;font-weight:700;color:#1d1c1d;white-space:nowrap}
.button.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.button.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
.input{margin-bottom:4px}
.label{font-weight:700;margin-bottom:8px}
.optional{font-weight:400;color:#616061}
.hint{font-size:13px;color:#616061;margin-top:6px;line-height:1.4}
.select,.text-input{display:flex;align-items:center;gap:6px;min-height:40px;padding:6px 10px 6px 12px;border:1px solid rgba(29,28,29,.3);border-radius:4px;background:#fff}
.select .value{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.select .placeholder,.text-input .placeholder{flex:1;color:#868686}
.chevron{width:18px;height:18px;flex:none;margin-left:auto;color:#616061}
.token{display:inline-block;background:rgba(29,28,29,.06);border-radius:4px;padding:0 6px;margin-right:4px}
.text-input.multiline{align-items:flex-start;min-height:88px;padding-top:9px}
.choices{display:flex;flex-direction:column;gap:8px}
.choice{display:flex;gap:10px;align-items:flex-start}
.radio,.checkbox{flex:none;width:18px;height:18px;margin-top:2px;border:1px solid rgba(29,28,29,.5);background:#fff}
.radio{border-radius:50%}
.checkbox{border-radius:4px}
.radio.checked{border:5px solid #1264a3}
.checkbox.checked{background:#1264a3;border-color:#1264a3}
.description{display:block;font-size:13px;color:#616061}

.avatar{flex:none;width:36px;height:36px;border-radius:50%;background:linear-gradient(135deg,#4a154b,#1264a3);color:#fff;font-size:14px;font-weight:900;display:flex;align-items:center;justify-content:center;letter-spacing:.5px}
.avatar.small{width:24px;height:24px;font-size:10px}
.badge{display:inline-block;font-size:10px;font-weight:700;line-height:1.3;color:rgba(29,28,29,.7);background:rgba(29,28,29,.13);border-radius:2px;padding:1px 3px;margin-left:4px;vertical-align:2px}
.message{display:flex;gap:8px;padding:8px 20px}
.message .body{flex:1;min-width:0}
.message.grouped{padding-top:2px}
.message .gutter{flex:none;width:36px}
.message .who{margin-bottom:2px}
.message .name{font-weight:900}
.message .time{font-size:12px;color:#616061;margin-left:6px}

.backdrop{padding:${BACKDROP}px}
.modal{width:100%;background:#fff;border-radius:8px;box-shadow:0 0 0 1px rgba(29,28,29,.13),0 18px 48px rgba(0,0,0,.35);overflow:hidden}
.modal-head{display:flex;align-items:center;gap:12px;padding:18px 28px 16px}
.modal-head h1{flex:1;margin:0;font-size:22px;font-weight:900;line-height:1.27}
.modal-head .close{font-size:22px;color:#616061;line-height:1}
.modal-body{padding:4px 28px 16px}
.modal-body .blocks{gap:14px}
.modal-foot{display:flex;justify-content:flex-end;gap:12px;padding:20px 28px;border-top:1px solid rgba(29,28,29,.13)}
.modal-foot span{display:inline-flex;align-items:center;height:36px;padding:0 16px;border-radius:4px;font-weight:700}
.modal-foot .cancel{border:1px solid rgba(29,28,29,.3)}
.modal-foot .submit{background:#007a5a;color:#fff}

.pane{background:#fff;min-height:100vh}
.pane-head{display:flex;align-items:center;gap:10px;height:50px;padding:0 20px;border-bottom:1px solid rgba(29,28,29,.13)}
.pane-head .title{font-size:18px;font-weight:900}
.pane-head .channel{color:#616061;font-size:13px}
.replies{display:flex;align-items:center;gap:12px;padding:4px 20px;color:#616061;font-size:13px}
.replies::after{content:"";flex:1;border-top:1px solid rgba(29,28,29,.13)}
.pane .thread{padding:8px 0 16px}

.tabs{display:flex;gap:24px;padding:0 20px;border-bottom:1px solid rgba(29,28,29,.13);font-size:14px}
.tabs span{padding:10px 0 9px;color:#616061}
.tabs .active{color:#1d1c1d;font-weight:700;box-shadow:inset 0 -2px 0 #1264a3}
.home{padding:16px 24px 28px}
`;

function page(title: string, width: number, body: Html, background = '#f8f8f8'): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>${new Html(STYLE)}body{width:${String(width)}px;background:${background}}</style>
</head>
<body>
${body}
</body>
</html>
`.value;
}

/** A modal view as Slack shows it (`width` wide, on a grey backdrop): title and close, the blocks, Cancel and the submit button. */
export function modalPage(view: { title?: TextObject; submit?: TextObject; close?: TextObject; blocks: Blocks }, ws: Workspace, width = 520): string {
  const body = html`<div class="backdrop">
<div class="modal">
<div class="modal-head"><div class="avatar small">${ws.app.initials}</div><h1>${textOf(view.title, ws)}</h1><span class="close">✕</span></div>
<div class="modal-body">${blocksHtml(view.blocks, ws)}</div>
${view.submit || view.close ? html`<div class="modal-foot"><span class="cancel">${view.close ? textOf(view.close, ws) : 'Cancel'}</span>${view.submit ? html`<span class="submit">${textOf(view.submit, ws)}</span>` : ''}</div>` : ''}
</div>
</div>`;
  return page(view.title?.text ?? 'Modal', width + 2 * BACKDROP, body, '#9a9a9a');
}

export interface Message {
  /** ms since the epoch, shown as the time of day. */
  at: number;
  blocks: Blocks;
}

/** Slack shows a message right after another of the same sender, within minutes, without its avatar and name. */
const GROUPED_WITHIN_MS = 5 * 60_000;

function messageHtml(m: Message, ws: Workspace, previous: Message | null = null): Html {
  const time = new Intl.DateTimeFormat('en-US', { timeZone: UTC, hour: 'numeric', minute: '2-digit' }).format(new Date(m.at));
  if (previous && m.at - previous.at < GROUPED_WITHIN_MS) {
    return html`<div class="message grouped"><div class="gutter"></div><div class="body">${blocksHtml(m.blocks, ws)}</div></div>`;
  }
  return html`<div class="message"><div class="avatar">${ws.app.initials}</div><div class="body"><div class="who"><span class="name">${ws.app.name}</span><span class="badge">APP</span><span class="time">${time}</span></div>${blocksHtml(m.blocks, ws)}</div></div>`;
}

/** A thread as Slack's thread pane shows it: the root message, the number of replies, the replies. */
export function threadPage(channel: string, root: Message, replies: readonly Message[], ws: Workspace, width = 720): string {
  const count = `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`;
  const body = html`<div class="pane">
<div class="pane-head"><span class="title">Thread</span><span class="channel">#${channel}</span></div>
<div class="thread">${messageHtml(root, ws)}${replies.length ? html`<div class="replies">${count}</div>` : ''}${replies.map((r, i) => messageHtml(r, ws, replies[i - 1] ?? null))}</div>
</div>`;
  return page('Thread', width, body, '#fff');
}

/** A Home tab as Slack shows it: the app's name, its tabs, the blocks. */
export function homePage(view: { blocks: Blocks }, ws: Workspace, width = 720): string {
  const body = html`<div class="pane">
<div class="pane-head"><div class="avatar small">${ws.app.initials}</div><span class="title">${ws.app.name}</span></div>
<div class="tabs"><span class="active">Home</span><span>Messages</span><span>About</span></div>
<div class="home">${blocksHtml(view.blocks, ws)}</div>
</div>`;
  return page('Home', width, body, '#fff');
}
