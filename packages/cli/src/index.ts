export { configFileSchema, configJsonSchema, type ConfigFile } from './config-file.js';
export { main } from './main.js';
export { discoverPlugins, findPlugin, loadPlugin, type DiscoveredPlugin } from './plugin-discovery.js';
export { DEFAULT_ANNOTATOR_MODEL } from './run-command.js';
