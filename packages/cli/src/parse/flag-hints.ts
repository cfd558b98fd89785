/**
 * Better words for yargs' own validation: a near-miss flag name suggested for an unknown or a missing one,
 * and the text a number option was given when it is not a number.
 */

/** Levenshtein distance, for short flag names. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known flag nearest to `given` (at most 2 edits, and fewer than its length), if any. */
export function nearestFlag(given: string, known: readonly string[]): string | undefined {
  let best: { flag: string; d: number } | undefined;
  for (const flag of known) {
    const d = editDistance(given, flag);
    if (d <= 2 && d < given.length && (!best || d < best.d)) best = { flag, d };
  }
  return best?.flag;
}

/** The flags written in `argv` (`--name` or `--name=value`), without dashes. */
export function flagsIn(argv: readonly string[]): string[] {
  return argv.filter((a) => a.startsWith('--') && a.length > 2).map((a) => a.slice(2).split('=')[0]!);
}

/** What `--name` was given in `argv`, as typed. */
export function rawValueOf(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    if (a === `--${name}`) return argv[i + 1];
  }
  return undefined;
}

/**
 * yargs' message, with a hint: "Unknown argument: dry-rn" gets "did you mean --dry-run?", and "Missing
 * required argument: date" names the near-miss that was typed instead ("--dat").
 */
export function hintedMessage(message: string, argv: readonly string[], known: readonly string[]): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown) {
    // yargs lists a dashed name twice, the second time camel-cased: keep the one typed.
    const names = unknown[1]!.split(', ').filter((n) => !/[A-Z]/.test(n));
    const hints = names
      .map((name) => [name, nearestFlag(name, known)] as const)
      .filter((h): h is readonly [string, string] => h[1] !== undefined)
      .map(([name, flag]) => `--${name}: did you mean --${flag}?`);
    const listed = `Unknown argument${names.length > 1 ? 's' : ''}: ${names.join(', ')}`;
    return hints.length > 0 ? `${listed} (${hints.join('; ')})` : listed;
  }
  const missing = /^Missing required arguments?: (.+)$/.exec(message);
  if (missing) {
    const given = flagsIn(argv).filter((f) => !known.includes(f));
    const hints = missing[1]!.split(', ').flatMap((name) => {
      const typo = given.find((g) => nearestFlag(g, [name]) === name);
      return typo ? [`--${typo} was given: did you mean --${name}?`] : [];
    });
    return hints.length > 0 ? `${message} (${hints.join('; ')})` : message;
  }
  return message;
}
