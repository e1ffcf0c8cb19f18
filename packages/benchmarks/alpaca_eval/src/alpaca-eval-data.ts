import { DatasetError, type DatasetFileV1, type DatasetResolverV1, parseDatasetRows } from '@evalchemy/core';
import { z } from 'zod';

// alpaca_eval loads everything below from the Hugging Face dataset tatsu-lab/alpaca_eval. The revision is the
// one whose instruction_difficulty.csv / df_gamed.csv checksums are published (see /work/shared MANIFEST);
// the Hub cannot be reached from where this package was written, so the Hub hashes of the two JSON files
// are recorded on first download.
const hubRepository = 'tatsu-lab/alpaca_eval';
const hubRevision = '2edc6fad8be6b14ea7230aabfd08188da6b8b814';

/** The 805 instructions (HF config `alpaca_eval`, split `eval`): `instruction`, `output`, `generator`, `dataset`. */
export const evalSetFile: DatasetFileV1 = {
  hub: { repository: hubRepository, revision: hubRevision, path: 'alpaca_eval.json' },
  offlinePath: 'alpacaeval/alpaca_eval.jsonl',
  sha256: { offline: '9f3cf318fe67b3a7eec7c26260d7654ea17917cc5d1d00eeecc2d70709ba5193' },
  format: { offline: 'jsonl', hub: 'json' },
};

/** The AlpacaEval 2.0 baseline, gpt4_1106_preview's outputs (HF config `alpaca_eval_gpt4_baseline`). */
export const baselineOutputsFile: DatasetFileV1 = {
  hub: { repository: hubRepository, revision: hubRevision, path: 'alpaca_eval_gpt4_baseline.json' },
  offlinePath: 'alpacaeval/reference_outputs/gpt4_1106_preview/model_outputs.json',
  sha256: { offline: '83db546b872ddebee8965fd05fa48461ee3c32bc695c62fb57f2d214ff741ec4' },
  format: { offline: 'json', hub: 'json' },
};

/** Per-instruction difficulty of the length-controlled GLM (`length_controlled_v1`), alpaca_eval's official file. */
export const instructionDifficultyFile: DatasetFileV1 = {
  hub: { repository: hubRepository, revision: hubRevision, path: 'instruction_difficulty.csv' },
  offlinePath: 'alpacaeval/instruction_difficulty.csv',
  sha256: 'e28d875bb334f75e17acd1e4ed659b261860e3db379cf5de29060301bed0a18b',
  format: { offline: 'csv', hub: 'csv' },
};

/** Annotations of the two length-gamed baselines the GLM is regularised towards, alpaca_eval's official file. */
export const gamedAnnotationsFile: DatasetFileV1 = {
  hub: { repository: hubRepository, revision: hubRevision, path: 'df_gamed.csv' },
  offlinePath: 'alpacaeval/df_gamed.csv',
  sha256: '97aeec3f1c7de6dee6fd31fe66f1702623f4614c3efe1c6fc5f4927cd5fd674d',
  format: { offline: 'csv', hub: 'csv' },
};

/** One AlpacaEval instruction with the baseline's output, as the benchmark carries it to scoring. */
export interface AlpacaEvalInstruction {
  /** 0-based position in the eval set. */
  index: number;
  instruction: string;
  /** Source subset (`helpful_base`, `koala`, `oasst`, `selfinstruct`, `vicuna`). */
  dataset: string;
  /** The baseline's (gpt4_1106_preview) output: alpaca_eval's `output_1`. */
  baselineOutput: string;
  baselineGenerator: string;
}

const outputRowSchema = z.object({
  instruction: z.string(),
  output: z.string(),
  generator: z.string(),
  dataset: z.string(),
});

/**
 * The eval set in its order, each instruction paired with the baseline output of the same instruction
 * (alpaca_eval merges the two on `instruction`).
 */
export async function loadInstructions(datasets: DatasetResolverV1): Promise<AlpacaEvalInstruction[]> {
  const [evalRows, baselineRows] = await Promise.all([
    datasets.rows(evalSetFile),
    datasets.rows(baselineOutputsFile),
  ]);
  const evalSet = parseDatasetRows(evalRows, outputRowSchema, evalSetFile);
  const baseline = new Map(
    parseDatasetRows(baselineRows, outputRowSchema, baselineOutputsFile).map((row) => [row.instruction, row]),
  );
  return evalSet.map((row, index) => {
    const reference = baseline.get(row.instruction);
    if (reference === undefined) {
      throw new DatasetError(
        `${baselineOutputsFile.offlinePath} has no baseline output for instruction ${index} of ${evalSetFile.offlinePath}.`,
      );
    }
    return {
      index,
      instruction: row.instruction,
      dataset: row.dataset,
      baselineOutput: reference.output,
      baselineGenerator: reference.generator,
    };
  });
}
