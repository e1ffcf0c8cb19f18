/** Where plugins write human-readable progress notes; the CLI decides how they are shown. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}
