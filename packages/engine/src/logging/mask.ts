/** Replaces secret values with `***` in text; also their JSON-escaped form, since log lines are JSON. */
export class SecretMasker {
  readonly #needles = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string): void {
    // Very short values would mask ordinary words; a secret of fewer than 4 characters is not a secret.
    if (typeof secret !== 'string' || secret.length < 4) return;
    this.#needles.add(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) this.#needles.add(escaped);
  }

  /** The values as registered (with their JSON-escaped forms), to hand to another process's masker. */
  values(): string[] {
    return [...this.#needles];
  }

  get size(): number {
    return this.#needles.size;
  }

  mask(text: string): string {
    let out = text;
    for (const needle of this.#needles) if (out.includes(needle)) out = out.split(needle).join('***');
    return out;
  }
}

/** A masker of one try that reports values the body registers (`ctx.maskSecret`) so the whole run masks them. */
export class ReportingMasker extends SecretMasker {
  // A plain field, not #private: super() calls add() before a private field would exist.
  private onAdd: ((secret: string) => void) | undefined;

  constructor(values: Iterable<string>, onAdd: (secret: string) => void) {
    super(values);
    this.onAdd = onAdd;
  }

  override add(secret: string): void {
    super.add(secret);
    this.onAdd?.(secret);
  }
}
