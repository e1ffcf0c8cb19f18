import { z } from 'zod';

/** Kinds of plugin the CLI can discover. */
export const pluginKinds = ['benchmark', 'backend', 'sandbox'] as const;
export type PluginKind = (typeof pluginKinds)[number];

/** A contract version: `v` and a number, the name of its folder in this package (`v1`). */
const specificationVersionSchema = z.string().regex(/^v[1-9][0-9]*$/, 'a contract version such as "v1"');

/**
 * The plugin manifest: the `"evalchemy"` key of a plugin's package.json. The CLI reads it without importing
 * the package, and imports `entry` only when the plugin is selected.
 *
 * ```json
 * "evalchemy": { "manifestVersion": 1, "kind": "benchmark", "id": "gsm8k", "entry": "./dist/index.js", "specification": "v1" }
 * ```
 *
 * `PluginManifest` is the parsed form: `specification` is always a list there.
 */
export const pluginManifestSchema = z
  .object({
    /** Version of this manifest format. Only 1 exists. */
    manifestVersion: z.literal(1),
    /** What the plugin provides. */
    kind: z.enum(pluginKinds),
    /** Lowercase id: the CLI task or backend name, the options key, and the package folder name. */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, "-" and "_"'),
    /** Other names the CLI accepts for this plugin (compared case-insensitively), e.g. Evalchemy's spellings. */
    aliases: z.array(z.string()).default([]),
    /**
     * Module whose default export is the plugin object: a path inside the package, relative to its root
     * (`./dist/index.js`). The CLI also refuses an entry whose real path, after symbolic links, is outside the
     * package.
     */
    entry: z
      .string()
      .startsWith('./')
      .refine(
        (entry) => !entry.split(/[\\/]/).includes('..'),
        'must be a path inside the package, without ".."',
      ),
    /**
     * The contract versions the plugin implements: one (`"v1"`) or a list (`["v1", "v2"]`), parsed as a list.
     * The CLI uses the newest version it supports too, and expects the entry's default export to implement that
     * one; when it supports none of them it refuses the plugin, naming what each side supports. A version newer
     * than this package knows is valid here, so that an older CLI says which version is missing rather than
     * calling the manifest invalid.
     */
    specification: z
      .union([specificationVersionSchema, z.array(specificationVersionSchema).min(1)])
      .transform((versions) => (Array.isArray(versions) ? versions : [versions])),
    /**
     * Names of task groups the benchmark belongs to, as lm-evaluation-harness's `tag:` (`ai2_arc` on arc_easy
     * and arc_challenge): `--tasks <tag>` runs every installed benchmark carrying it, each reported under its
     * own id. Same spelling rules as `id`; a tag must not be a benchmark id. Benchmarks only; default [].
     */
    tags: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, "-" and "_"'))
      .default([]),
    /** One line for `evalchemy list`. */
    description: z.string().optional(),
    /**
     * A template plugin authors copy (`pnpm create-plugin`), not a plugin: the CLI neither lists nor runs it.
     * Default false; the copy leaves it out.
     */
    template: z.boolean().default(false),
  })
  .strict();

export type PluginManifest = z.infer<typeof pluginManifestSchema>;
