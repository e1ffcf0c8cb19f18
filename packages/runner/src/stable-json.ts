/**
 * JSON with object keys sorted at every level, so equal values always give equal text (cache keys). The
 * same text as `JSON.stringify` with a key-sorting replacer, written out because a replacer calls back into
 * JavaScript for every value (this runs for every request the runner sends).
 */
export function stableStringify(value: unknown): string {
  return write(value) ?? 'undefined';
}

/** `undefined` where JSON.stringify leaves the value out (undefined, functions, symbols). */
function write(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return write(withJson.toJSON());
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) text += ',';
      text += write(value[index]) ?? 'null';
    }
    return `${text}]`;
  }
  let text = '{';
  for (const key of Object.keys(value).sort()) {
    const item = write((value as Record<string, unknown>)[key]);
    if (item === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${item}`;
  }
  return `${text}}`;
}
