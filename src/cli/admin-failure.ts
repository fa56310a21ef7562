/** A command that cannot be carried out, for a reason the operator can act on: one line on stderr, exit 1. */
export class AdminFailure extends Error {
  override name = 'AdminFailure';
}

/** A command line that names no command, an unknown one, or a command without its email: the usage on stderr, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Ctrl-C or Ctrl-D at a password prompt (in raw mode they arrive as characters, not signals): exit 130. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor() { super('cancelled'); }
}
