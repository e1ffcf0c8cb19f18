/** Option and query-parameter names whose values are secrets (`api_key`, `token`, `sig`, `password`, …). */
const secretName = /key|token|secret|passw|auth|sig|credential|session/i;
/** `scheme://user:password@` of a URL (the userinfo ends at the last `@` before the path). */
const userInfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]+@/gi;
/** One `name=value` of a query string. */
const queryParameter = /([?&])([^\s=&#]+)=([^\s&#]*)/g;

/**
 * The text with the credentials of every URL in it replaced by `<redacted>`: `user:password@`, and the
 * values of query parameters whose names look secret (`?api_key=`, `?key=`, `?token=`).
 */
export function redactUrlCredentials(text: string): string {
  return text
    .replace(userInfo, '$1<redacted>@')
    .replace(queryParameter, (parameter, separator: string, name: string) =>
      secretName.test(name) ? `${separator}${name}=<redacted>` : parameter,
    );
}

/** Options fit to be recorded: the values of secret-looking keys, and credentials in URLs, are `<redacted>`. */
export function redactSecrets(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      secretName.test(key) ? '<redacted>' : typeof value === 'string' ? redactUrlCredentials(value) : value,
    ]),
  );
}
