/**
 * The layout every email shares. A template describes its email as an `EmailDocument` (plain
 * text and figures, no markup); this module renders it to HTML and to plain text, so both carry
 * the same numbers and every interpolated value is escaped in one place.
 */
import { chartHtml, chartText } from './chart.js';
import type { DailyAmount } from '../billing/notification-content.js';
import type { EmailContext, RenderedEmail } from './email.js';
import { escapeHtml } from '../format/html.js';
import { formatInstantDateTime } from '../format/dates.js';
import { CAPTION_STYLE, FONT_STACK, TABLE_STYLE, colour } from './theme.js';

export const BRAND = 'Voice credits';

/** Text with optional emphasis: `['You used ', { strong: '80%' }, ' of your credits.']`. */
export type Rich = string | readonly (string | { strong: string })[];

export interface Figure {
  label: string;
  value: string;
  /** Shown after the value in a lighter colour, in parentheses in plain text. */
  detail?: string;
}

export type Section =
  | { type: 'figures'; title: string; rows: readonly Figure[] }
  | { type: 'paragraph'; text: Rich }
  | { type: 'notice'; title: string; text: Rich }
  | { type: 'chart'; title: string; daily: readonly DailyAmount[] };

export interface EmailDocument {
  subject: string;
  /** What happened, in a sentence or two: shown first, and as the inbox preview. */
  summary: Rich;
  sections: readonly Section[];
  /** The billing link's text; it must make sense on its own ("Update your payment method"). */
  action: string;
}

const TEXT_WIDTH = 72;

function richHtml(text: Rich): string {
  if (typeof text === 'string') return escapeHtml(text);
  return text
    .map((part) =>
      typeof part === 'string' ? escapeHtml(part) : `<strong>${escapeHtml(part.strong)}</strong>`,
    )
    .join('');
}

function richText(text: Rich): string {
  if (typeof text === 'string') return text;
  return text.map((part) => (typeof part === 'string' ? part : part.strong)).join('');
}

/** The billing link, refused unless it is an http(s) URL (it goes into an href). */
function billingUrl(ctx: EmailContext): string {
  const url = new URL(ctx.billingUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`billing link must be an http(s) URL, got ${url.protocol}`);
  }
  return ctx.billingUrl;
}

function linkNote(ctx: EmailContext): string {
  const expires = formatInstantDateTime(ctx.billingUrlExpiresAt, ctx.timeZone);
  return (
    `This link signs you in to the billing page of account ${ctx.accountId} and works until ` +
    `${expires}. Please do not forward this email.`
  );
}

function footer(ctx: EmailContext): string {
  return `${BRAND} for account ${ctx.accountId}. Dates and times are in ${ctx.timeZone}.`;
}

// ---------------------------------------------------------------------------------------------
// HTML

const P_STYLE = `margin:0 0 16px;font-size:15px;line-height:1.5;color:${colour.body}`;
const ROW_STYLE = `padding:8px 0;border-top:1px solid ${colour.border};font-size:14px;line-height:1.4`;

function figuresHtml(title: string, rows: readonly Figure[]): string {
  const body = rows.map(
    (row) =>
      `<tr><th scope="row" style="${ROW_STYLE};text-align:left;font-weight:normal;` +
      `color:${colour.muted};padding-right:16px">${escapeHtml(row.label)}</th>` +
      `<td style="${ROW_STYLE};text-align:right;font-weight:600;color:${colour.text}">` +
      escapeHtml(row.value) +
      (row.detail
        ? ` <span style="font-weight:normal;color:${colour.muted}">(${escapeHtml(row.detail)})</span>`
        : '') +
      '</td></tr>',
  );
  return (
    `<table style="${TABLE_STYLE}"><caption style="${CAPTION_STYLE}">${escapeHtml(title)}` +
    `</caption><tbody>${body.join('')}</tbody></table>`
  );
}

function sectionHtml(section: Section): string {
  switch (section.type) {
    case 'figures':
      return figuresHtml(section.title, section.rows);
    case 'paragraph':
      return `<p style="${P_STYLE}">${richHtml(section.text)}</p>`;
    case 'notice':
      return (
        `<div style="margin:0 0 24px;padding:12px 16px;background-color:#fef2f2;` +
        `border-left:4px solid #b91c1c;font-size:15px;line-height:1.5;color:${colour.text}">` +
        `<strong>${escapeHtml(section.title)}</strong><br>${richHtml(section.text)}</div>`
      );
    case 'chart':
      return chartHtml(section.title, section.daily);
  }
}

function renderHtml(doc: EmailDocument, ctx: EmailContext): string {
  const href = escapeHtml(billingUrl(ctx));
  const cell = (style: string, content: string) => `<tr><td style="${style}">${content}</td></tr>`;
  const content = [
    `<h1 style="margin:0 0 12px;font-size:22px;line-height:1.3;color:${colour.text}">` +
      `${escapeHtml(doc.subject)}</h1>`,
    `<p style="${P_STYLE};font-size:16px;margin-bottom:24px">${richHtml(doc.summary)}</p>`,
    ...doc.sections.map(sectionHtml),
    `<p style="margin:8px 0 12px"><a href="${href}" style="display:inline-block;` +
      `padding:12px 20px;border-radius:6px;background-color:${colour.accent};color:#ffffff;` +
      `font-size:15px;font-weight:600;text-decoration:none">${escapeHtml(doc.action)}</a></p>`,
    `<p style="${P_STYLE};font-size:13px;color:${colour.muted}">${escapeHtml(linkNote(ctx))}</p>`,
  ];
  const card = [
    cell(
      `padding:18px 32px;border-bottom:1px solid ${colour.border};font-size:15px;` +
        `font-weight:700;color:${colour.accent}`,
      `<div role="banner">${BRAND}</div>`,
    ),
    cell('padding:28px 32px 12px', `<div role="main">${content.join('\n')}</div>`),
    cell(
      `padding:16px 32px;border-top:1px solid ${colour.border};font-size:12px;` +
        `line-height:1.5;color:${colour.muted}`,
      `<div role="contentinfo">${escapeHtml(footer(ctx))}</div>`,
    ),
  ];
  const presentation = 'role="presentation" cellpadding="0" cellspacing="0"';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    `<title>${escapeHtml(doc.subject)}</title></head>`,
    `<body style="margin:0;padding:0;background-color:${colour.page};font-family:${FONT_STACK};` +
      `color:${colour.text}">`,
    `<div style="display:none;max-height:0;overflow:hidden">${escapeHtml(richText(doc.summary))}</div>`,
    `<table ${presentation} width="100%" style="background-color:${colour.page}">` +
      '<tr><td align="center" style="padding:24px 12px">',
    `<table ${presentation} width="600" style="width:100%;max-width:600px;` +
      `background-color:${colour.card};border:1px solid ${colour.border};border-radius:8px;` +
      `border-collapse:separate">`,
    card.join('\n'),
    '</table></td></tr></table>',
    '</body></html>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Plain text

/** Word-wraps a paragraph at `width` columns (a word longer than that, a URL, stays whole). */
export function wrap(text: string, width = TEXT_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function heading(title: string, underline: string): string[] {
  return [title, underline.repeat(title.length)];
}

function sectionText(section: Section): string[] {
  switch (section.type) {
    case 'figures': {
      const width = Math.max(...section.rows.map((row) => row.label.length));
      return [
        ...heading(section.title, '-'),
        ...section.rows.map(
          (row) =>
            `${`${row.label}:`.padEnd(width + 2)}${row.value}` +
            (row.detail ? ` (${row.detail})` : ''),
        ),
      ];
    }
    case 'paragraph':
      return wrap(richText(section.text));
    case 'notice':
      return [...heading(section.title, '-'), ...wrap(richText(section.text))];
    case 'chart': {
      const [title = '', ...lines] = chartText(section.title, section.daily);
      return [...heading(title, '-'), ...lines];
    }
  }
}

function renderText(doc: EmailDocument, ctx: EmailContext): string {
  const blocks = [
    [BRAND.toUpperCase()],
    heading(doc.subject, '='),
    wrap(richText(doc.summary)),
    ...doc.sections.map(sectionText),
    [`${doc.action}:`, billingUrl(ctx), ...wrap(linkNote(ctx))],
    ['--', ...wrap(footer(ctx))],
  ];
  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

/** The email for a document: subject, plain text and HTML. */
export function renderDocument(doc: EmailDocument, ctx: EmailContext): RenderedEmail {
  // A subject is one header line: no control characters, whatever a value carried.
  const subject = doc.subject.replace(/\p{Cc}+/gu, ' ').trim();
  const clean = { ...doc, subject };
  return { subject, text: renderText(clean, ctx), html: renderHtml(clean, ctx) };
}
