/** A setting is missing, malformed or unusable (e.g. its port is taken). The message names the setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(
    /** The environment variable at fault, e.g. HASHINSIGHT_HTTP_PORT. */
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
