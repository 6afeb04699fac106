/** Parsed `application/x-www-form-urlencoded` parameters; each name appears once. */
export class FormParams {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }

  /** An empty parameter counts as absent (DESIGN.md). */
  get(name: string): string | undefined {
    const value = this.#values.get(name);
    return value === undefined || value === "" ? undefined : value;
  }

  /** Only the named parameters (oidc-provider: a grant sees just what it takes; RFC 6749 §3.2 ignores the rest). */
  only(names: ReadonlySet<string>): FormParams {
    const kept = new Map<string, string>();
    for (const name of names) {
      const value = this.#values.get(name);
      if (value !== undefined) kept.set(name, value);
    }
    return new FormParams(kept);
  }
}
