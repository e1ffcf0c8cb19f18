import { codeBenchmarkOptionsShape, testProgramOptionsShape } from '@evalchemy/code-eval';
import { z } from 'zod';

/** Options of `mbpp` (the `mbpp` key of the task options). */
export const mbppOptionsSchema = z
  .object({
    ...codeBenchmarkOptionsShape,
    /**
     * `full` (default, as Evalchemy and lm-eval): the 500 test problems, task ids 11–510 of `mbpp.jsonl`;
     * `sanitized`: the 427 hand-verified problems of `sanitized-mbpp.json`, with their imports.
     */
    split: z.enum(['full', 'sanitized']).default('full'),
    /**
     * `chat`: Evalchemy's 3-shot instruction, the first ```python block of the reply; `completion`: lm-eval's
     * 3-shot `mbpp` prompt, the model writes code up to `[DONE]`; `auto` (default): chat when the backend has it.
     */
    mode: z.enum(['auto', 'chat', 'completion']).default('auto'),
    ...testProgramOptionsShape,
  })
  .strict();

/** Parsed options of `mbpp`. */
export type MbppOptions = z.infer<typeof mbppOptionsSchema>;
