import { z } from 'zod';

/**
 * Options of the drop benchmark (`tasks.drop`): none. lm-eval runs `drop` zero-shot by default; its few-shot
 * target renders wrongly (see the README), so few-shot is not offered.
 */
export const dropOptionsSchema = z.object({}).strict();

export type DropOptions = z.output<typeof dropOptionsSchema>;
