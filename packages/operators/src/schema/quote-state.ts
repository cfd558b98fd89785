/** Where a line leaves the RFC 4180 quoting of its record: inside a quoted field, outside, or broken. */
export type QuoteState = 'open' | 'closed' | 'bad';

/**
 * Reads one physical line of CSV from a start state (`closed`: the line starts a record; `open`: it
 * continues a quoted field of the previous line) and says where it ends. A quote may only open a field at
 * its start and, once closed, must be followed by the delimiter or the end of the line; `""` inside a quoted
 * field is a quote. Anything else is `bad`, which ends the record on that line. O(length), no regex.
 */
export function quoteStateAfter(text: string, start: 'open' | 'closed', delimiter: string): QuoteState {
  let quoted = start === 'open';
  let fieldStart = start === 'closed';
  let afterClose = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') continue;
      if (text[i + 1] === '"') i++;
      else {
        quoted = false;
        afterClose = true;
      }
    } else if (afterClose) {
      if (ch !== delimiter) return 'bad';
      afterClose = false;
      fieldStart = true;
    } else if (ch === '"') {
      if (!fieldStart) return 'bad';
      quoted = true;
      fieldStart = false;
    } else fieldStart = ch === delimiter;
  }
  return quoted ? 'open' : 'closed';
}
