/**
 * The HTML document every billing page shares: one stylesheet (inline, allowed by its hash in the
 * Content-Security-Policy, so no other style or any script can run), a skip link, visible focus,
 * colours of at least 4.5:1 contrast, and a single column that fits a phone.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../../format/html.js';
import { BRAND } from '../../emails/layout.js';
import { colour } from '../../emails/theme.js';

const CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;background:${colour.page};color:${colour.body};font:16px/1.5 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}
.skip{position:absolute;left:-999px;top:0;background:${colour.card};padding:8px 12px}
.skip:focus{left:8px;top:8px}
header,main,footer{max-width:760px;margin:0 auto;padding:16px}
header p{margin:0;color:${colour.muted}}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 4px;color:${colour.text}}
h2{font-size:1.2rem;margin:0 0 12px;color:${colour.text}}
section{background:${colour.card};border:1px solid ${colour.border};border-radius:8px;padding:16px;margin:0 0 16px}
a{color:${colour.accent}}
:focus-visible{outline:3px solid ${colour.accent};outline-offset:2px}
dl.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:0}
dl.figures div{border:1px solid ${colour.border};border-radius:6px;padding:8px 12px}
dl.figures dt{font-size:.875rem;color:${colour.muted}}
dl.figures dd{margin:0;font-size:1.25rem;font-weight:600;color:${colour.text}}
dl.figures dd.long{font-size:1rem}
dl.figures dd small{display:block;font-size:.8rem;font-weight:normal;color:${colour.muted}}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{padding:6px 8px;border-bottom:1px solid ${colour.border};text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}
caption{text-align:left;font-weight:600;padding:0 0 8px;color:${colour.text}}
.table-wrap{overflow-x:auto}
.notice{border-left:4px solid #15803d;background:#f0fdf4}
.warning{border-left:4px solid #b91c1c;background:#fef2f2}
.suggestion{border-left:4px solid ${colour.accent};background:#eff6ff}
label{display:block;font-weight:600;color:${colour.text}}
.hint{display:block;font-weight:normal;font-size:.875rem;color:${colour.muted}}
input[type=text],input[type=email]{font:inherit;padding:8px;border:1px solid ${colour.muted};border-radius:4px;width:100%;max-width:320px;margin:4px 0 12px}
input[aria-invalid=true]{border:2px solid #b91c1c}
.error{color:#b91c1c;font-weight:600;margin:0 0 8px}
.check{display:flex;gap:8px;align-items:flex-start;font-weight:normal;margin:0 0 12px}
.check input{margin-top:5px}
button{font:inherit;font-weight:600;padding:8px 16px;border-radius:4px;border:2px solid ${colour.accent};background:${colour.accent};color:#fff;cursor:pointer}
button.secondary{background:#fff;color:${colour.accent}}
ul.legend{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.875rem}
.swatch{display:inline-block;width:14px;height:10px;margin-right:6px;vertical-align:middle;border:1px solid ${colour.muted}}
.swatch.bar{background:#2563eb}.swatch.line{background:#111827;height:3px}.swatch.allowance{background:#4b5563;height:2px}
.swatch.range{background:#bfdbfe}.swatch.expected{background:#1e3a8a;height:3px}
details{margin-top:8px}
figure{margin:0}
summary{cursor:pointer;color:${colour.accent};font-weight:600}
footer{font-size:.875rem;color:${colour.muted}}
`;

/** The stylesheet's CSP source, so the policy allows exactly it. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/** The Content-Security-Policy of every billing page: no script at all, this style only. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${STYLE_HASH}`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** A whole page: `title` goes into <title> (with the brand) and `heading` into the <h1>. */
export function renderPage(options: {
  title: string;
  heading: string;
  subheading?: string;
  body: string;
}): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<meta name="referrer" content="same-origin">' +
    `<title>${escapeHtml(options.title)} · ${escapeHtml(BRAND)}</title>` +
    `<style>${CSS}</style></head><body>` +
    '<a class="skip" href="#main">Skip to content</a>' +
    `<header><p>${escapeHtml(BRAND)}</p><h1>${escapeHtml(options.heading)}</h1>` +
    (options.subheading ? `<p>${escapeHtml(options.subheading)}</p>` : '') +
    `</header><main id="main">${options.body}</main>` +
    `<footer><p>${escapeHtml(BRAND)} billing. This page works without JavaScript.</p></footer>` +
    '</body></html>'
  );
}
