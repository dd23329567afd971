/** A configuration value that stops the program: its message is one line a person can act on. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(message: string) {
    super(message);
  }
}
