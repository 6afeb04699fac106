/** Parsed `application/x-www-form-urlencoded` parameters; each name appears once. */
export class FormParams {
  readonly #values: ReadonlyMap<string, string>;
  /** When set, only these names can be read (see `only`). */
  readonly #allowed: ReadonlySet<string> | undefined;

  constructor(values: ReadonlyMap<string, string>, allowed?: ReadonlySet<string>) {
    this.#values = values;
    this.#allowed = allowed;
  }

  /** An empty parameter counts as absent (DESIGN.md). */
  get(name: string): string | undefined {
    if (this.#allowed !== undefined && !this.#allowed.has(name)) return undefined;
    const value = this.#values.get(name);
    return value === undefined || value === "" ? undefined : value;
  }

  /**
   * The same parameters with only `names` readable: what the token endpoint hands a grant
   * (oidc-provider strips what a grant does not take; RFC 6749 §3.2 ignores the rest).
   */
  only(names: ReadonlySet<string>): FormParams {
    return new FormParams(this.#values, names);
  }
}
