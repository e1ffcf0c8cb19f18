import type { LoggerV1, SandboxV1 } from '@evalchemy/core';
import { parsePluginOptions } from '@evalchemy/core';
import { type ProcessSandboxSettings, processSandboxOptionsSchema } from './process-options.js';
import { createProcessSandboxProvider } from './process-provider.js';
import { ProcessSandbox } from './process-sandbox.js';

export {
  type ProcessSandboxOptions,
  type ProcessSandboxSettings,
  processSandboxOptionsSchema,
} from './process-options.js';
export { createProcessSandboxProvider } from './process-provider.js';
export { ProcessSandbox } from './process-sandbox.js';
export { VERSION } from './version.js';

const quietLogger: LoggerV1 = { info() {}, warn: (message) => console.warn(message), debug() {} };

/**
 * Creates a `process` sandbox directly (without the CLI). Settings are checked by the options schema;
 * an unknown key is a `ConfigurationError`.
 */
export function createProcessSandbox(
  settings: ProcessSandboxSettings = {},
  log: LoggerV1 = quietLogger,
): SandboxV1 {
  const options = parsePluginOptions(processSandboxOptionsSchema, settings, 'sandbox "process"');
  return new ProcessSandbox(options, log);
}

/** The plugin object the CLI loads: the `process` sandbox provider. */
const provider = createProcessSandboxProvider();
export default provider;
