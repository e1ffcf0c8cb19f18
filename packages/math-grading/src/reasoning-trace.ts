/** A response split into its reasoning trace (`<think>…</think>`) and the final answer text after it. */
export interface SplitResponse {
  /** The text after the reasoning trace: what answers are extracted from. */
  answer: string;
  /** The reasoning trace without its tags; undefined when the response has none. */
  reasoning: string | undefined;
  /** True when a trace was opened but never closed (the model ran out of tokens while thinking). */
  unfinished: boolean;
}

/**
 * Separates a reasoning model's trace from its answer. The text after the last `</think>` is the answer (chat
 * templates often put the opening `<think>` in the prompt, so only the closing tag may appear). A `<think>`
 * never closed leaves only the text before it as the answer, so a guess inside an unfinished trace is not
 * graded as the final answer.
 */
export function splitReasoningTrace(text: string): SplitResponse {
  const close = text.lastIndexOf('</think>');
  if (close >= 0) {
    const before = text.slice(0, close);
    const open = before.indexOf('<think>');
    return {
      answer: text.slice(close + '</think>'.length),
      reasoning: (open >= 0 ? before.slice(open + '<think>'.length) : before).trim(),
      unfinished: false,
    };
  }
  const open = text.indexOf('<think>');
  if (open >= 0) {
    return {
      answer: text.slice(0, open),
      reasoning: text.slice(open + '<think>'.length).trim(),
      unfinished: true,
    };
  }
  return { answer: text, reasoning: undefined, unfinished: false };
}
