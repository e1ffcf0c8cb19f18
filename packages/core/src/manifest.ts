import { z } from 'zod';

/** Kinds of plugin the CLI can discover. */
export const pluginKinds = ['benchmark', 'backend', 'sandbox'] as const;
export type PluginKind = (typeof pluginKinds)[number];

/**
 * The plugin manifest: the `"evalchemy"` key of a plugin's package.json. The CLI reads it without importing
 * the package, and imports `entry` only when the plugin is selected.
 *
 * ```json
 * "evalchemy": { "manifestVersion": 1, "kind": "benchmark", "id": "gsm8k", "entry": "./dist/index.js", "specification": "v1" }
 * ```
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
    /** Contract version the plugin object implements. */
    specification: z.literal('v1'),
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
