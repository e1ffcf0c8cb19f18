import { codeBenchmarkOptionsShape, evalPlusOptionsShape } from '@evalchemy/code-eval';
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
    ...evalPlusOptionsShape,
  })
  .strict();

/** Parsed options of `humanevalplus`. */
export type HumanEvalPlusOptions = z.infer<typeof humanEvalPlusOptionsSchema>;
