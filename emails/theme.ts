/**
 * Colours and inline styles shared by the email layout and chart. Text colours keep a contrast
 * ratio of at least 7:1 on white (WCAG AAA), the link and button colour 6.7:1.
 */
export const colour = {
  page: '#f3f4f6',
  card: '#ffffff',
  border: '#e5e7eb',
  text: '#111827',
  body: '#1f2937',
  muted: '#4b5563',
  accent: '#1d4ed8',
  bar: '#2563eb',
  peak: '#1e3a8a',
  track: '#e5e7eb',
} as const;

export const FONT_STACK =
  "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** A table caption used as a section title. */
export const CAPTION_STYLE = `text-align:left;padding:0 0 8px;font-size:15px;font-weight:600;color:${colour.text}`;

/** A data table that spans the card. */
export const TABLE_STYLE = 'width:100%;border-collapse:collapse;margin:0 0 24px';
