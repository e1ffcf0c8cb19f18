/** Where plugins write human-readable progress notes; the CLI decides how they are shown. */
export interface LoggerV1 {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}
