import { z } from 'zod';

/** Options of the arc_challenge benchmark (`tasks.arc_challenge`): none yet; lm-eval runs it zero-shot. */
export const arcChallengeOptionsSchema = z.object({}).strict();

export type ArcChallengeOptions = z.output<typeof arcChallengeOptionsSchema>;
