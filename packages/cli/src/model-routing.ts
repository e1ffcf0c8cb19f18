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
  harness?: HarnessModelFlags,
): { backend: string; args: PluginArgs } {
  const routed = routeByName(backend, args, modelName);
  return harness === undefined ? routed : applyHarnessFlags(backend, routed, harness);
}

/** lm-evaluation-harness's flags that act on the backend's options. */
export interface HarnessModelFlags {
  /** `--apply_chat_template`: null when not given. */
  applyChatTemplate: boolean | string | null;
  /** `--trust_remote_code`. */
  trustRemoteCode: boolean;
  warn(message: string): void;
}

/** lm-evaluation-harness's model names that fix the endpoint of the OpenAI-compatible backend. */
const harnessEndpoints: Readonly<Record<string, 'chat' | 'completions'>> = {
  'local-completions': 'completions',
  'openai-completions': 'completions',
  'local-chat-completions': 'chat',
  'openai-chat-completions': 'chat',
};

/** Backends (as named on the command line) whose options choose between chat and completion endpoints. */
const endpointChoosing = new Set(['openai', 'vllm', 'hf', ...Object.keys(harnessEndpoints)]);

/**
 * What `--model local-completions`, `--apply_chat_template False` and `--trust_remote_code` mean for the
 * backend: the endpoint (`api=`) of openai and vllm, unless `--model_args` chose one, and vLLM's
 * `trust_remote_code`. Where a backend has no such option, a warning says so.
 */
function applyHarnessFlags(
  named: string,
  routed: { backend: string; args: PluginArgs },
  harness: HarnessModelFlags,
): { backend: string; args: PluginArgs } {
  const name = named.toLowerCase();
  const values = { ...routed.args.values };
  const endpoint = harnessEndpoints[name];
  if (endpoint !== undefined && values.api === undefined && !isEndpointUrl(values.base_url))
    values.api = endpoint;
  if (harness.applyChatTemplate === false) {
    if (!endpointChoosing.has(name)) {
      harness.warn(
        `--apply_chat_template False: backend ${routed.backend} has no completions endpoint to choose; its tasks' prompts stay as the backend takes them.`,
      );
    } else if (endpoint === 'chat' || values.api === 'chat') {
      harness.warn(
        `--apply_chat_template False with --model ${named}${values.api === 'chat' && endpoint === undefined ? ' and api=chat' : ''}: its chat endpoint gets chat prompts (lm-evaluation-harness refuses chat completions without a chat template).`,
      );
    } else if (values.api === undefined && !isEndpointUrl(values.base_url)) {
      values.api = 'completions';
    }
  }
  if (harness.trustRemoteCode) {
    if (name === 'vllm' || name === 'hf') values.trust_remote_code ??= 'true';
    else
      harness.warn(
        `--trust_remote_code has no effect with backend ${routed.backend}: no checkpoint or Hub dataset code runs here (it sets vllm's trust_remote_code).`,
      );
  }
  return { backend: routed.backend, args: { ...routed.args, values } };
}

/** A `base_url` that names an endpoint (lm-eval's `…/v1/completions`): the backend takes the endpoint from it. */
function isEndpointUrl(url: string | undefined): boolean {
  return url !== undefined && /\/(chat\/)?completions\/?$/.test(url.split('?')[0] ?? '');
}

function routeByName(
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
