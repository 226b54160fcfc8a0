/**
 * The one error type ferry throws on purpose. `code` is a literal a caller can switch on; `hint` is the
 * sentence a person acts on ("run `ferry auth ghl`"); `details` carries structured context for --json output.
 * Messages never contain secrets: callers redact before constructing.
 */
export interface FerryErrorOptions {
  hint?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class FerryError<C extends string = string> extends Error {
  readonly code: C;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: C, message: string, options: FerryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** One line for a person: the message, then the hint when there is one. */
  describe(): string {
    return this.hint === undefined ? this.message : `${this.message}\n  hint: ${this.hint}`;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, ...this.details };
  }
}

export function isFerryError(value: unknown): value is FerryError {
  return value instanceof FerryError;
}
