import type { z } from 'zod';
import { ConfigurationError } from './errors.js';

/**
 * Parses a plugin's options with the plugin's own zod schema. Unknown keys are an error that names the key
 * and the accepted ones; a failed field names the field, the value's problem and the plugin.
 */
export function parsePluginOptions<Schema extends z.ZodType>(
  schema: Schema,
  raw: Record<string, unknown>,
  where: string,
): z.infer<Schema> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (shape !== undefined) {
    const accepted = Object.keys(shape);
    const unknown = Object.keys(raw).filter((key) => !accepted.includes(key));
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}. ` +
          `Accepted: ${accepted.length > 0 ? accepted.join(', ') : '(none)'}.`,
      );
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`)
      .join('; ');
    throw new ConfigurationError(`${where}: invalid options: ${problems}.`);
  }
  return result.data;
}
