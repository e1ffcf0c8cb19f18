import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigurationError } from '@evalchemy/core';
import { resolveModelFile } from '@evalchemy/node-llama-cpp';

/** Model references that name a remote file rather than a local path. */
const remotePattern = /^(hf:|huggingface:|hf\.co\/|https?:\/\/)/i;

/** How long the reachability check of the Hub may take before a download is declared impossible. */
const reachabilityTimeoutMs = 15_000;

/**
 * Turns the `model` option into a local GGUF path: a path is checked to exist; an `hf:` URI is looked up in
 * node-llama-cpp's model cache and downloaded there when missing. node-llama-cpp's downloader retries
 * unreachable hosts without end and ignores the abort signal, so the Hub is probed first and an unreachable
 * Hub fails fast with a message that says what to do.
 */
export async function resolveModelPath(
  model: string,
  env: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<string> {
  if (!remotePattern.test(model)) {
    const path = resolve(model);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) {
      throw new ConfigurationError(
        `backend llamacpp: no GGUF file at ${path} (model=${model}). Pass model=<path of a .gguf file> or an hf: URI such as hf:user/repo:Q4_K_M.`,
      );
    }
    return path;
  }

  const endpoint = (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const token = env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  const common = {
    cli: false,
    endpoints: { huggingFace: `${endpoint}/` },
    ...(token === undefined ? {} : { tokens: { huggingFace: token } }),
  };

  const cached = await resolveModelFile(model, { ...common, download: false }).catch(() => undefined);
  if (cached !== undefined) return cached;

  try {
    await fetch(endpoint, {
      method: 'HEAD',
      signal: AbortSignal.any([signal, AbortSignal.timeout(reachabilityTimeoutMs)]),
    });
  } catch (error) {
    signal.throwIfAborted();
    throw new ConfigurationError(
      `backend llamacpp: cannot download ${model}: ${endpoint} is unreachable (${describeFetchFailure(error)}). ` +
        'Check the network connection (or HF_ENDPOINT), or download the GGUF file yourself and pass model=<its path>.',
      { cause: error },
    );
  }

  try {
    return await abortable(resolveModelFile(model, { ...common, signal }), signal);
  } catch (error) {
    signal.throwIfAborted();
    throw new ConfigurationError(
      `backend llamacpp: cannot download ${model} from ${endpoint}: ${(error as Error).message}. ` +
        'Check the URI (hf:user/repo:quantization or hf:user/repo/file.gguf) and, for a gated model, HF_TOKEN.',
      { cause: error },
    );
  }
}

function describeFetchFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolvePromise(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
