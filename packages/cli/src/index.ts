export { type ConfigFile, type ConfigFileInput, configFileSchema, configJsonSchema } from './config-file.js';
export { main } from './main.js';
export { type DiscoveredPlugin, discoverPlugins, findPlugin, loadPlugin } from './plugin-discovery.js';
