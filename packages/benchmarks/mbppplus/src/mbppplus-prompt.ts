import { evalPlusStopSequences } from '@evalchemy/code-eval';

/** Stop sequences of a direct completion (evalplus's EOS list plus its MBPP extras). */
export const mbppPlusStopSequences: readonly string[] = evalPlusStopSequences('mbpp');
