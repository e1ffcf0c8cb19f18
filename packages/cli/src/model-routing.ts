import { ConfigurationError } from '@evalchemy/core';
import type { PluginArgs } from './run-configuration.js';

/** The providers `--model curator --model_name PROVIDER/MODEL` routes, and the backend serving each. */
export const curatorProviders: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
};

const example = 'e.g. openai/gpt-4o-mini, anthropic/claude-sonnet-4-5, gemini/gemini-2.5-flash';

/**
 * The backend and options `--model`, `--model_args` and `--model_name` mean. `curator` (Evalchemy's
 * LiteLLM-style spelling) picks the backend from the provider prefix of `--model_name` and takes LiteLLM's
 * `api_base` as `base_url`; any other backend takes `--model_name` as its `model` option.
 */
export function routeModel(
  backend: string,
  args: PluginArgs,
  modelName: string | undefined,
): { backend: string; args: PluginArgs } {
  if (backend.toLowerCase() !== 'curator') {
    if (modelName === undefined) return { backend, args };
    const given = args.values.model ?? args.values.pretrained;
    if (given !== undefined && given !== modelName) {
      throw new ConfigurationError(
        `--model_name ${modelName} and the model "${given}" in ${args.source.name} name two models: give one.`,
      );
    }
    if (given !== undefined) return { backend, args };
    return { backend, args: { ...args, values: { ...args.values, model: modelName } } };
  }
  const { model, api_base, ...values } = args.values;
  const name = modelName ?? model;
  if (name === undefined) {
    throw new ConfigurationError(`--model curator needs --model_name PROVIDER/MODEL (${example}).`);
  }
  if (modelName !== undefined && model !== undefined && model !== modelName) {
    throw new ConfigurationError(
      `--model_name ${modelName} and model=${model} in ${args.source.name} name two models: give one.`,
    );
  }
  const slash = name.indexOf('/');
  const provider = slash === -1 ? '' : name.slice(0, slash).toLowerCase();
  const routed = curatorProviders[provider];
  if (routed === undefined) {
    throw new ConfigurationError(
      `--model curator: "${name}" does not start with a provider this CLI routes (${Object.keys(
        curatorProviders,
      )
        .map((known) => `${known}/`)
        .join(
          ', ',
        )}; ${example}). For any OpenAI-compatible server write openai/<its model name> with api_base=<its /v1 URL>.`,
    );
  }
  if (api_base !== undefined && values.base_url !== undefined && api_base !== values.base_url) {
    throw new ConfigurationError(
      `--model curator: api_base and base_url in ${args.source.name} name two servers: give one.`,
    );
  }
  return {
    backend: routed,
    args: {
      ...args,
      values: {
        ...values,
        model: name.slice(slash + 1),
        ...(api_base !== undefined ? { base_url: api_base } : {}),
      },
    },
  };
}
