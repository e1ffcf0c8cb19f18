import { codeBenchmarkOptionsShape } from '@evalchemy/code-eval';
import { z } from 'zod';

/** Options of `humanevalplus` (the `humanevalplus` key of the task options). */
export const humanEvalPlusOptionsSchema = z
  .object({
    ...codeBenchmarkOptionsShape,
    /**
     * `chat`: Evalchemy's instruction prompt, the function extracted from the reply; `completion`: the model
     * continues the prompt (evalplus's direct completion); `auto` (default): chat when the backend has it.
     */
    mode: z.enum(['auto', 'chat', 'completion']).default('auto'),
    /** Floor of every per-input time limit, seconds (evalplus `min_time_limit`, 4.0 in current evalplus). */
    minTimeLimitSeconds: z.number().positive().default(4),
    /** Per-input limit as a multiple of the canonical solution's time (evalplus `gt_time_limit_factor`). */
    timeLimitFactor: z.number().positive().default(4),
  })
  .strict();

/** Parsed options of `humanevalplus`. */
export type HumanEvalPlusOptions = z.infer<typeof humanEvalPlusOptionsSchema>;
