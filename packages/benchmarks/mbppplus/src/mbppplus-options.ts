import { codeBenchmarkOptionsShape, evalPlusOptionsShape } from '@evalchemy/code-eval';
import { z } from 'zod';

/** Options of `mbppplus` (the `mbppplus` key of the task options). */
export const mbppPlusOptionsSchema = z
  .object({
    ...codeBenchmarkOptionsShape,
    /**
     * `chat`: Evalchemy's 3-shot instruction, the first ```python block of the reply; `completion`: the model
     * continues the task's docstring prompt (evalplus's direct completion); `auto` (default): chat when the
     * backend has it.
     */
    mode: z.enum(['auto', 'chat', 'completion']).default('auto'),
    ...evalPlusOptionsShape,
  })
  .strict();

/** Parsed options of `mbppplus`. */
export type MbppPlusOptions = z.infer<typeof mbppPlusOptionsSchema>;
