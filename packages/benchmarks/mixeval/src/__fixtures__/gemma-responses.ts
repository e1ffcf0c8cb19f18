import type { DatasetFileV1, DatasetResolverV1 } from '@evalchemy/core';

// gemma-1.1-7b-it's answers that MixEval publishes (GitHub Psycoy/MixEval,
// mix_eval/data/model_responses/gemma_11_7b_instruct/<benchmark>/2024-06-01/, last changed in commit
// 1ce1d1a335190917c6cf5aab4fce0b8cc88f330b): each row is a 2024-06-01 item with the `formated_input` MixEval
// sent, its `id` and the `response`. They are not on the Hub: the Hub location is a placeholder, the sha256 the pin.
function responseFile(benchmark: 'mixeval' | 'mixeval_hard', name: string, sha256: string): DatasetFileV1 {
  const path = `model_responses/gemma_11_7b_instruct/${benchmark}/2024-06-01/${name}`;
  return {
    hub: { repository: 'MixEval/MixEval', revision: 'main', path },
    offlinePath: `mixeval/${path}`,
    sha256: { offline: sha256 },
    format: { offline: 'jsonl', hub: 'jsonl' },
  };
}

export const gemmaResponseFiles = {
  mixeval: {
    'free-form': responseFile(
      'mixeval',
      'gemma_11_7b_instruct_close_freeform.jsonl',
      'c5b7c5ced8d44d43af0e6a952a8af5118d563f9ab9b22e7b81b2cca150fcd87e',
    ),
    'multiple-choice': responseFile(
      'mixeval',
      'gemma_11_7b_instruct_close_multichoice.jsonl',
      '052c2f702db69edfa87e1575a2acdc30c80a2a5667261c67bd6822a69123f0e2',
    ),
  },
  mixeval_hard: {
    'free-form': responseFile(
      'mixeval_hard',
      'gemma_11_7b_instruct_close_freeform_hard.jsonl',
      '44dfcfce6fc46b771b396c79668c2ec1c315f5950f4f648ea12ba6ff78a28fe3',
    ),
    'multiple-choice': responseFile(
      'mixeval_hard',
      'gemma_11_7b_instruct_close_multichoice_hard.jsonl',
      '3a5a24e3c7353fefe78a5ccd9949773ef42a6264c5ad64b3a3cd553b73254bbd',
    ),
  },
} as const;

/** One stored answer: the item's id in its split, the prompt MixEval sent and gemma's response. */
export interface StoredResponse {
  id: string;
  formated_input: string;
  response: string;
  benchmark_name: string;
}

export async function readGemmaResponses(
  datasets: DatasetResolverV1,
  file: DatasetFileV1,
): Promise<Map<string, StoredResponse>> {
  const rows = (await datasets.rows(file)) as unknown as StoredResponse[];
  return new Map(rows.map((row) => [row.id, row]));
}
