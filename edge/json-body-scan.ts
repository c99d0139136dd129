/**
 * One pass over a request body's raw bytes, before JSON.parse: how deeply it nests, and the size
 * of each call event as it was received. A body nested too deeply is refused unparsed (JSON.parse
 * would build it, and what carries it on, Temporal's payload converter, a log line, cannot), and
 * an event's size is what the sender sent, not a re-encoding of it (`1e20` is 4 bytes, not 21).
 */

/** The deepest nesting a body may have: a batch and its array take 2 of these levels. */
export const MAX_JSON_DEPTH = 32;

export type JsonBodyScan =
  | {
      readonly ok: true;
      /** The compact size (whitespace outside strings left out) of the whole body, in bytes. */
      readonly bodyBytes: number;
      /**
       * The compact size of each element of the top-level object's `events` array, in order; null
       * when the body has no such array (a single event).
       */
      readonly eventBytes: readonly number[] | null;
    }
  | { readonly ok: false; readonly depth: number };

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const EVENTS_KEY = Buffer.from('events');

const isWhitespace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Scans a body that may be malformed: then its figures mean nothing, and JSON.parse, which runs
 * next, refuses it. Keys are compared as received: an `events` key written with escapes is not
 * recognised here, and the caller falls back to measuring the parsed events.
 */
export function scanJsonBody(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): JsonBodyScan {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let bodyBytes = 0;
  // The top-level object's keys: where the current one starts and ends, and the last one read.
  let expectKey = false;
  let keyStart = -1;
  let keyIsEvents = false;
  let eventBytes: number[] | null = null;
  let inEvents = false;
  let current = 0;

  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      bodyBytes++;
      if (inEvents) current++;
      if (escaped) escaped = false;
      else if (b === BACKSLASH) escaped = true;
      else if (b === QUOTE) {
        inString = false;
        if (keyStart >= 0) {
          keyIsEvents = Buffer.from(bytes.subarray(keyStart, i)).equals(EVENTS_KEY);
          keyStart = -1;
        }
      }
      continue;
    }
    if (isWhitespace(b)) continue;
    bodyBytes++;
    // The events array's own brackets and commas belong to no event.
    let separator = false;
    if (b === QUOTE) {
      inString = true;
      if (depth === 1 && expectKey) {
        keyStart = i + 1;
        expectKey = false;
      }
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      depth++;
      if (depth > maxDepth) return { ok: false, depth };
      if (depth === 1 && b === OPEN_OBJECT) expectKey = true;
      if (depth === 2 && b === OPEN_ARRAY && keyIsEvents) {
        // A repeated `events` key: JSON.parse keeps the last, and so does this.
        eventBytes = [];
        inEvents = true;
        current = 0;
        separator = true;
      }
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      if (inEvents && depth === 2) {
        if (current > 0) eventBytes?.push(current);
        inEvents = false;
        separator = true;
      }
      depth--;
    } else if (b === COMMA) {
      if (depth === 1) expectKey = true;
      if (inEvents && depth === 2) {
        eventBytes?.push(current);
        current = 0;
        separator = true;
      }
    }
    if (inEvents && !separator) current++;
  }
  return { ok: true, bodyBytes, eventBytes };
}
