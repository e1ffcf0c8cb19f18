/** Thrown for a mistake of the caller (usage, id, existing folder); the command prints its message alone. */
export class CreatePluginError extends Error {
  override readonly name = 'CreatePluginError';
}

/** The spellings of an id the template's `hello` is replaced with. */
export interface IdentifierForms {
  /** As given: folder, manifest id, package name suffix, task name (`arc_challenge`). */
  id: string;
  /** File names (`arc-challenge-scorer.ts`). */
  kebab: string;
  /** Functions and constants (`arcChallengeOptionsSchema`). */
  camel: string;
  /** Classes, types and factories (`ArcChallengeBenchmark`, `createArcChallenge`). */
  pascal: string;
  /** Upper-case constants (`ARC_CHALLENGE`). */
  constant: string;
}

/** The plugin manifest's id pattern (`pluginManifestSchema` in @evalchemy/core), which this package does not import. */
const manifestIdPattern = /^[a-z0-9][a-z0-9_-]*$/;

/** The id's spellings; throws `CreatePluginError` when the id is not a valid plugin id. */
export function identifierForms(id: string): IdentifierForms {
  if (!manifestIdPattern.test(id)) {
    throw new CreatePluginError(
      `Invalid id "${id}": use lowercase letters, digits, "_" and "-", starting with a letter, e.g. my_task (the manifest's id pattern).`,
    );
  }
  if (!/^[a-z]/.test(id)) {
    throw new CreatePluginError(
      `Invalid id "${id}": it must start with a letter, because it also names TypeScript functions and classes (create<Id>, <Id>Benchmark).`,
    );
  }
  const words = id.split(/[-_]+/).filter((word) => word !== '');
  const pascal = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  return {
    id,
    kebab: words.join('-'),
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    pascal,
    constant: words.join('_').toUpperCase(),
  };
}

/** Replaces the template's id in a file name or a file's text by the spelling each place needs. */
export function renameTemplate(text: string, forms: IdentifierForms): string {
  return text
    .replace(/HELLO/g, forms.constant)
    .replace(/Hello/g, forms.pascal)
    .replace(/hello(?=[A-Z])/g, forms.camel)
    .replace(/hello(?=-)/g, forms.kebab)
    .replace(/hello/g, forms.id);
}
