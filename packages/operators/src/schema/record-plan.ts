/**
 * Which physical lines of a CSV file form one RFC 4180 record. A record spans lines only when a quoted
 * field holds a line break. Quote parity decides where such a record can start and end: a line that opens a
 * quoted field has an odd number of quotes, and so has the line that closes it, while every line between
 * (continuing the field) has an even number. So only lines with an odd number of quotes are looked at here,
 * plus two facts about the lines between two of them, computed in SQL.
 *
 * The rule, chosen so that one stray quote never swallows the rest of a file: a line that opens a quoted
 * field is joined with the following lines up to the next line with an odd number of quotes only when that
 * line closes the field properly, every line between continues it properly, and the whole record is at
 * most `maxBytes`. Otherwise the opening line alone is `malformed_csv:unterminated_quote`, and the lines
 * after it are read again as records of their own.
 */

/** A data line with an odd number of quotes. */
export interface OddLine {
  /** 1-based physical line number. */
  readonly line: number;
  /** Byte length of the line (without its line break). */
  readonly bytes: number;
  /** Read from the start of a record, it ends inside a quoted field that began properly. */
  readonly opens: boolean;
  /** Read from inside a quoted field, it closes the field and ends the record properly. */
  readonly closes: boolean;
}

/** Facts about the lines strictly between two odd lines, from SQL. */
export interface GapFacts {
  /** Lines that do not continue a quoted field properly (a stray quote, invalid UTF-8). */
  readonly breaks: number;
  /** Sum over those lines of their byte length plus one (the line break before each). */
  readonly bytes: number;
}

export interface RecordSpan {
  readonly first: number;
  readonly last: number;
}

export interface RecordPlan {
  /** Records joined from several lines, each named by its first and last line, in file order. */
  readonly joined: readonly RecordSpan[];
  /** Lines opening a quoted field that no later line closes properly. */
  readonly unterminated: readonly number[];
}

/** The spans between consecutive odd lines whose first line opens a field: the only candidate records. */
export function candidateGaps(odd: readonly OddLine[]): RecordSpan[] {
  const out: RecordSpan[] = [];
  for (let i = 0; i + 1 < odd.length; i++) {
    const here = odd[i];
    const next = odd[i + 1];
    if (here?.opens === true && next !== undefined) out.push({ first: here.line, last: next.line });
  }
  return out;
}

/**
 * Decides the records. `odd` is sorted by line; `gaps` holds the facts of candidate spans by first line
 * (a span with no line between them may be absent). Linear: each odd line is looked at once or twice.
 */
export function planRecords(
  odd: readonly OddLine[],
  gaps: ReadonlyMap<number, GapFacts>,
  maxBytes: number,
): RecordPlan {
  const joined: RecordSpan[] = [];
  const unterminated: number[] = [];
  let i = 0;
  while (i < odd.length) {
    const here = odd[i];
    if (here === undefined || !here.opens) {
      i++;
      continue;
    }
    const next = odd[i + 1];
    const gap = gaps.get(here.line) ?? { breaks: 0, bytes: 0 };
    if (next?.closes && gap.breaks === 0 && here.bytes + gap.bytes + 1 + next.bytes <= maxBytes) {
      joined.push({ first: here.line, last: next.line });
      i += 2;
    } else {
      unterminated.push(here.line);
      i++;
    }
  }
  return { joined, unterminated };
}
