import type { z } from 'zod';

/**
 * The first problem of a failed schema parse, as messages show it: `<field>: <what is wrong>`, the field a
 * dotted path, or `whole` (`the whole file`, `the whole record`) when the input itself is wrong.
 */
export function firstSchemaIssue(error: z.ZodError, whole: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${whole}: invalid`;
  const field = issue.path.length === 0 ? whole : issue.path.map(String).join('.');
  return `${field}: ${issue.message}`;
}
