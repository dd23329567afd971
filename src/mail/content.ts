/**
 * A mail's content, written once as blocks and rendered twice: as the plain-text part and as the
 * HTML part (every value escaped by the `html` tag). Both parts say the same thing.
 */
import { html, type Html } from '../html';

/** Text, a link, or emphasis inside a paragraph. */
export type Inline = string | { link: string; text?: string } | { strong: string };

export type Block = { paragraph: Inline[] } | { steps: Inline[][] } | { facts: Array<[label: string, value: string]> } | { button: { label: string; href: string } };

export interface Content {
  /** The sender's name, at the top of the HTML part. */
  heading: string;
  blocks: Block[];
  /** A last, small line. */
  footer: string;
}

/** Control characters (line breaks included) cannot break the layout or a header. */
export function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

function inlineText(part: Inline): string {
  if (typeof part === 'string') return oneLine(part);
  if ('strong' in part) return oneLine(part.strong);
  if (!part.text || part.link.includes(part.text)) return part.link.replace(/^mailto:/, '');
  return `${oneLine(part.text)} (${part.link})`;
}

function inlineHtml(part: Inline): Html {
  if (typeof part === 'string') return html`${oneLine(part)}`;
  if ('strong' in part) return html`<strong>${oneLine(part.strong)}</strong>`;
  return html`<a href="${part.link}" style="color:#1a56db">${oneLine(part.text ?? part.link)}</a>`;
}

export function renderText(content: Content): string {
  const out: string[] = [];
  for (const block of content.blocks) {
    if ('paragraph' in block) out.push(block.paragraph.map(inlineText).join(''));
    else if ('steps' in block) out.push(block.steps.map((step, i) => `${i + 1}. ${step.map(inlineText).join('')}`).join('\n\n'));
    else if ('facts' in block) {
      const width = Math.max(...block.facts.map(([label]) => label.length)) + 2;
      out.push(block.facts.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${oneLine(value)}`).join('\n'));
    } else out.push(`${oneLine(block.button.label)}:\n${block.button.href}`);
  }
  out.push(`-- \n${oneLine(content.footer)}`);
  return `${out.join('\n\n')}\n`;
}

const FONT = 'font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif';

function blockHtml(block: Block): Html {
  if ('paragraph' in block) return html`<p style="margin:0 0 16px;line-height:1.5">${block.paragraph.map(inlineHtml)}</p>`;
  if ('steps' in block) {
    return html`<ol style="margin:0 0 16px;padding-left:22px;line-height:1.5">${block.steps.map(
      (step) => html`<li style="margin:0 0 10px">${step.map(inlineHtml)}</li>`,
    )}</ol>`;
  }
  if ('facts' in block) {
    return html`<table role="presentation" style="border-collapse:collapse;margin:0 0 16px;width:100%">${block.facts.map(
      ([label, value]) =>
        html`<tr><th scope="row" style="text-align:left;vertical-align:top;padding:4px 12px 4px 0;color:#555;font-weight:600;white-space:nowrap">${oneLine(label)}</th><td style="padding:4px 0;vertical-align:top">${oneLine(value)}</td></tr>`,
    )}</table>`;
  }
  return html`<p style="margin:8px 0 20px"><a href="${block.button.href}" style="display:inline-block;background:#1a56db;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">${oneLine(block.button.label)}</a></p>`;
}

export function renderHtml(content: Content, subject: string): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${oneLine(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7">
<div style="max-width:600px;margin:0 auto;padding:24px 16px;${FONT};font-size:16px;color:#1f2328">
<p style="margin:0 0 20px;font-size:14px;font-weight:600;color:#555">${oneLine(content.heading)}</p>
<div style="background:#ffffff;border-radius:8px;padding:24px">
${content.blocks.map(blockHtml)}
</div>
<p style="margin:16px 0 0;font-size:12px;color:#6b7280;line-height:1.4">${oneLine(content.footer)}</p>
</div>
</body>
</html>
`.value;
}
