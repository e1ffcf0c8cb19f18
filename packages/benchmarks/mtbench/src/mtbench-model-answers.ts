import { DatasetError, type DatasetFileV1, type DatasetResolverV1 } from '@evalchemy/core';
import { z } from 'zod';
import { mtBenchFile } from './mtbench-data.js';

/**
 * sha256 of each pregenerated answer file FastChat's `download_mt_bench_pregenerated.py` fetches from the
 * space lmsys/mt-bench (`data/mt_bench/model_answer/<model>.jsonl`), keyed by file name without `.jsonl`:
 * FastChat names a model by its file, not by the `model_id` inside it (vicuna-13b-v1.3.jsonl says
 * `vicuna-13b-hao-0515`).
 */
const pregeneratedAnswerSha256 = {
  'alpaca-13b': '80f4a8bf4665839d33fa0ea7f4b58824abf88d5a0edc9e7cc68a362fca88ef98',
  'baize-v2-13b': '062eb0b865a8b903e0d434a59ed8a7b58c74fcf57de154858f9ca00788758e4e',
  'chatglm-6b': '2785d99500d910bf0154f64947743e12c9cf20fdba6c160c314c099e0d03dfb9',
  'claude-instant-v1': 'e06bbf0f8c02cc56cf0508312627b8e552df1e4e5c061a9dc236f73c0d053bac',
  'claude-v1': '884c109de34721859bf7ffa0f7e525dfbc9fb0d99c1ee7c5488bfb2eb8f8c62c',
  'dolly-v2-12b': '5b1fd3f5c56bdeab746576067412c503ee5030e89456870219fed04fd1040056',
  'falcon-40b-instruct': 'efcabc647b32a600d845b6bc85573facf70ef566b6c4d1ad2cecfb46c897a2ea',
  'fastchat-t5-3b': '4e65d40093631aa0c55703f0df528ac6d4225097e42d8694f49b11d2b89e889b',
  'gpt-3.5-turbo': 'c3c097c21f91e4b44a554d82e5d47516daf7e8240e13b2eca79d211afc1fdfd6',
  'gpt-4': 'f65cdce00aa8567e9add118cabd34c2866291ed8f5c1d568f8da9a81d231d3e7',
  'gpt4all-13b-snoozy': 'd6a341c37224e166bd65c44df6c189f42e756221ad3975164934f336d1bd1bec',
  'guanaco-33b': '5f8856d1e57c56a474e2dcd487684ff99f02cff8905ef8a2e1b6601f9d5819e9',
  'guanaco-65b': '5b3123555399be437eba9fe49c2f6f09c9ac6a497f3dee96299f4565036ed2b4',
  'h2ogpt-oasst-open-llama-13b': '0cf8c355a944f791b708f834d139c87e7f4cd97a0e7e12d03e5d64b235e96204',
  'koala-13b': 'f1dacd010bec3e87ec6f1160c285bfe42f1acbaa9947a4debe5360778ff1b5aa',
  'llama-13b': 'b96b9f1e0a7e4e669fecfecda1c33908fdc4c095e38346e84352ea254c0b2cbc',
  'mpt-30b-chat': '2adb32470a79ca17060d14c6fb88ea1b9b4bc10d4589778715fe88c96cfe2aa8',
  'mpt-30b-instruct': 'df81b38aa8b7f7d6c5f214e72ee568284f5c6bb7da74a8cb45662b7a067f5415',
  'mpt-7b-chat': '7171e42d926a99ea1d7fd804fb19ee367d00c6be81f38bb450bd90cd0df4a772',
  'nous-hermes-13b': 'd953f206fd86f600af32668c6b6c6785006497df8aa745d96aef2fdca5b31310',
  'oasst-sft-4-pythia-12b': '5b22cc8495a15bbe69361bbf30782f3b2f69361321989667a8abb9fb3e73ce9e',
  'oasst-sft-7-llama-30b': '6ec66e7839da733be995feb6a5d42df315d2eda3a85bc27cad6bba429841e1d0',
  'palm-2-chat-bison-001': '4cad39fcf55f853fc101d00950af2f8ba311def8729b076ac633f2ae70d39adf',
  'rwkv-4-raven-14b': '7f5305dec94c457feaf326d28491c1aedfdd66965044c1b3f654699cebcb5071',
  'stablelm-tuned-alpha-7b': 'd8f0cbb4e3292e65e6425a717644fad155d11b8feb73ee9620cd0fecfc808016',
  'tulu-30b': '3b7c238738787979606feaa3b4e154140e0dd152e01f257ef2f8749aa5bef2df',
  'vicuna-13b-v1.3': '0a9bb7f7505d096e32b8a81f89b322cc09bb76d896484150844ce0787cc4caf5',
  'vicuna-33b-v1.3': '4dbf2db582d8e9ddcc8b321c55cc40fd26487fe2a4a821e60dce10160b383f2c',
  'vicuna-7b-v1.3': '1b4518114b6c20e1d648f450cf7de0ced2678456a36bea5878b1e0d8471f184d',
  'wizardlm-13b': 'a15b5b2521fadf1a30f71e7d906aabb123f33de499129bc26eda0e8fa1aadc80',
  'wizardlm-30b': 'e962ab5531c625ccf704c72396b67c4534fdf3775aeb89ea86e08c158bf18c49',
} as const;

/** A model whose MT-Bench answers FastChat publishes (the 31 pregenerated answer files), in file-name order. */
export type PregeneratedModel = keyof typeof pregeneratedAnswerSha256;

/** The 31 models with pregenerated answers, sorted by file name as FastChat's `load_model_answers` globs them. */
export const pregeneratedModels = Object.keys(pregeneratedAnswerSha256) as [
  PregeneratedModel,
  ...PregeneratedModel[],
];

/** FastChat's `--baseline-model` default in pairwise-baseline mode. */
export const DEFAULT_BASELINE_MODEL: PregeneratedModel = 'gpt-3.5-turbo';

/** The pinned answer file of a pregenerated model: `model_answer/<model>.jsonl`. */
export function modelAnswerFile(model: PregeneratedModel): DatasetFileV1 {
  return mtBenchFile(
    `data/mt_bench/model_answer/${model}.jsonl`,
    `mtbench/model_answer/${model}.jsonl`,
    pregeneratedAnswerSha256[model],
  );
}

/** `model_answer/gpt-3.5-turbo.jsonl`: the baseline of pairwise-baseline mode. */
export const baselineAnswerFile: DatasetFileV1 = modelAnswerFile(DEFAULT_BASELINE_MODEL);

const answerRowSchema = z.object({
  question_id: z.number().int(),
  choices: z.array(z.object({ turns: z.array(z.string()) })).min(1),
});

/**
 * The answers of `model` to both turns, by question id: the first choice, as FastChat's `run_judge_pair`
 * reads it. A question answered twice keeps the later row, as FastChat's dict does.
 */
export async function loadModelAnswers(
  datasets: DatasetResolverV1,
  model: PregeneratedModel,
): Promise<Map<number, string[]>> {
  const file = modelAnswerFile(model);
  const rows = await datasets.rows(file);
  const answers = new Map<number, string[]>();
  rows.forEach((row, index) => {
    const result = answerRowSchema.safeParse(row);
    if (!result.success) {
      throw new DatasetError(
        `${file.offlinePath} row ${index + 1} is not an answer row: ${result.error.issues
          .map((issue) => `${issue.path.join('.') || '(row)'}: ${issue.message}`)
          .join('; ')}.`,
      );
    }
    answers.set(result.data.question_id, result.data.choices[0]!.turns);
  });
  return answers;
}
