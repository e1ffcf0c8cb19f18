import { codeBenchmarkOptionsShape, testProgramOptionsShape } from '@evalchemy/code-eval';
import { z } from 'zod';

/** Options of `humaneval` (the `humaneval` key of the task options). */
export const humanEvalOptionsSchema = z
  .object({
    ...codeBenchmarkOptionsShape,
    /**
     * `chat`: Evalchemy's instruction prompt, the function extracted from the reply; `completion`: the model
     * continues the prompt; `auto` (default): chat when the backend has it, else completion.
     */
    mode: z.enum(['auto', 'chat', 'completion']).default('auto'),
    ...testProgramOptionsShape,
  })
  .strict();

/** Parsed options of `humaneval`. */
export type HumanEvalOptions = z.infer<typeof humanEvalOptionsSchema>;
