/**
 * `alpaca_eval_clf.txt` of tatsu-lab/alpaca_eval@cd543a149df89434d8a54582c0151c0b945c3d20
 * (`src/alpaca_eval/evaluators_configs/alpaca_eval_clf_gpt4_turbo/alpaca_eval_clf.txt`, sha256 784227e6…5f62): the
 * prompt of `weighted_alpaca_eval_gpt4_turbo` and of Evalchemy's `weighted_alpaca_eval_gpt-4o-mini-2024-07-18`.
 * The file is a package file of alpaca_eval, not a Hub file, so its text is kept here verbatim.
 */
export const alpacaEvalClfTemplate =
  '<|im_start|>system\nYou are a highly efficient assistant, who evaluates and selects the best large language model (LLMs) based on the quality of their responses to a given instruction. This process will be used to create a leaderboard reflecting the most accurate and human-preferred answers.\n<|im_end|>\n<|im_start|>user\nI require a leaderboard for various large language models. I\'ll provide you with prompts given to these models and their corresponding outputs. Your task is to assess these responses, and select the model that produces the best output from a human perspective.\n\n## Instruction\n\n{\n    "instruction": """{instruction}""",\n}\n\n## Model Outputs\n\nHere are the unordered outputs from the models. Each output is associated with a specific model, identified by a unique model identifier.\n\n{\n    {\n        "model_identifier": "m",\n        "output": """{output_1}"""\n    },\n    {\n        "model_identifier": "M",\n        "output": """{output_2}"""\n    }\n}\n\n## Task\n\nEvaluate the models based on the quality and relevance of their outputs, and select the model that generated the best output. Answer by providing the model identifier of the best model. We will use your output as the name of the best model, so make sure your output only contains one of the following model identifiers and nothing else (no quotes, no spaces, no new lines, ...): m or M.\n\n## Best Model Identifier\n<|im_end|>';

/**
 * `alpaca_eval.txt` of tatsu-lab/alpaca_eval@cd543a149df89434d8a54582c0151c0b945c3d20
 * (`src/alpaca_eval/evaluators_configs/alpaca_eval_gpt4/alpaca_eval.txt`, sha256 cf4bace4…2a98): the prompt of
 * `alpaca_eval_gpt4_0613` (Evalchemy's `gpt-4` annotator), kept verbatim.
 */
export const alpacaEvalGpt4Template =
  '<|im_start|>system\nYou are a helpful assistant, that ranks models by the quality of their answers.\n<|im_end|>\n<|im_start|>user\nI want you to create a leaderboard of different of large-language models. To do so, I will give you the instructions (prompts) given to the models, and the responses of two models. Please rank the models based on which responses would be preferred by humans. All inputs and outputs should be python dictionaries.\n\nHere is the prompt:\n{\n    "instruction": """{instruction}""",\n}\n\nHere are the outputs of the models:\n[\n    {\n        "model": "model_1",\n        "answer": """{output_1}"""\n    },\n    {\n        "model": "model_2",\n        "answer": """{output_2}"""\n    }\n]\n\nNow please rank the models by the quality of their answers, so that the model with rank 1 has the best output. Then return a list of the model names and ranks, i.e., produce the following output:\n[\n    {\'model\': <model-name>, \'rank\': <model-rank>},\n    {\'model\': <model-name>, \'rank\': <model-rank>}\n]\n\nYour response must be a valid Python dictionary and should contain nothing else because we will directly execute it in Python. Please provide the ranking that the majority of humans would give.\n<|im_end|>';

/** How one alpaca_eval annotator configuration asks and parses. */
export interface AnnotatorConfiguration {
  /** alpaca_eval's configuration name, e.g. `weighted_alpaca_eval_gpt4_turbo`. */
  name: string;
  template: string;
  /** `logprob`: preference from the probabilities of the tokens m and M; `ranking`: the rank of model_1. */
  parser: 'logprob' | 'ranking';
  maxTokens: number;
  temperature: number;
  topLogprobs?: number;
}

/** The judge model of `--annotator_model auto`: alpaca_eval 2.0's `weighted_alpaca_eval_gpt4_turbo`. */
export const DEFAULT_JUDGE_MODEL = 'gpt-4-1106-preview';

/**
 * The configuration for a judge model, as Evalchemy's ANNOTATOR_CONFIG_MAP maps `--annotator_model`:
 * `gpt-4` (and the model its configuration names, `gpt-4-0613`) → `alpaca_eval_gpt4_0613` (text verdict);
 * `gpt-4-1106-preview` (`auto`) → `weighted_alpaca_eval_gpt4_turbo`; `gpt-4o-mini-2024-07-18` →
 * `weighted_alpaca_eval_gpt-4o-mini-2024-07-18`; any other model gets the same logprob configuration.
 */
export function annotatorConfiguration(judgeModel: string): AnnotatorConfiguration {
  if (judgeModel === 'gpt-4' || judgeModel === 'gpt-4-0613') {
    return {
      name: 'alpaca_eval_gpt4_0613',
      template: alpacaEvalGpt4Template,
      parser: 'ranking',
      maxTokens: 100,
      temperature: 0,
    };
  }
  return {
    name:
      judgeModel === DEFAULT_JUDGE_MODEL
        ? 'weighted_alpaca_eval_gpt4_turbo'
        : `weighted_alpaca_eval_${judgeModel}`,
    template: alpacaEvalClfTemplate,
    parser: 'logprob',
    maxTokens: 1,
    temperature: 1,
    topLogprobs: 5,
  };
}

const placeholderPattern = /{([^ \s]+?)}/g;

/**
 * alpaca_eval's `utils.make_prompts` for one example: each distinct `{key}` of the template, in order of first
 * appearance, has its first occurrence in the text built so far replaced by the value (so text inserted
 * earlier can itself be hit, as in alpaca_eval).
 */
export function formatTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const keys = [...new Set([...template.matchAll(placeholderPattern)].map((match) => match[1]!))];
  let prompt = template;
  for (const key of keys) {
    const value = values[key];
    if (value === undefined) throw new Error(`alpaca_eval template field {${key}} has no value.`);
    const at = prompt.indexOf(`{${key}}`);
    if (at !== -1) prompt = prompt.slice(0, at) + value + prompt.slice(at + key.length + 2);
  }
  return prompt;
}

// Python's str.strip() with no argument: Unicode whitespace (str.isspace), which differs from JS trim().
const pythonWhitespace =
  '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && pythonWhitespace.includes(text[start]!)) start += 1;
  while (end > start && pythonWhitespace.includes(text[end - 1]!)) end -= 1;
  return text.slice(start, end);
}

/** One chat message of the judge prompt. */
export interface JudgeMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * alpaca_eval's `utils.prompt_to_chatml`: the prompt split at `<|im_start|>`; each part's first line is the
 * role, the rest up to the first `<|im_end|>` (stripped) the content.
 */
export function promptToChatml(prompt: string): JudgeMessage[] {
  const stripped = pythonStrip(prompt);
  if (!stripped.startsWith('<|im_start|>') || !stripped.endsWith('<|im_end|>')) {
    throw new Error('alpaca_eval prompt is not in ChatML form.');
  }
  return stripped
    .split('<|im_start|>')
    .slice(1)
    .map((part) => {
      const newline = part.indexOf('\n');
      const head = newline === -1 ? part : part.slice(0, newline);
      const rest = newline === -1 ? '' : part.slice(newline + 1);
      const role = pythonStrip(head);
      const end = rest.indexOf('<|im_end|>');
      const content = pythonStrip(end === -1 ? rest : rest.slice(0, end));
      // alpaca_eval also passes `system name=…` roles through; its templates here use only system and user.
      const normalised = role.startsWith('system') ? 'system' : role;
      if (normalised !== 'system' && normalised !== 'user' && normalised !== 'assistant') {
        throw new Error(`alpaca_eval prompt has an unknown ChatML role "${role}".`);
      }
      return { role: normalised, content };
    });
}

/** The judge messages for one comparison, outputs already in the order the judge sees them. */
export function buildJudgeMessages(
  configuration: AnnotatorConfiguration,
  instruction: string,
  output1: string,
  output2: string,
): JudgeMessage[] {
  return promptToChatml(
    formatTemplate(configuration.template, { instruction, output_1: output1, output_2: output2 }),
  );
}
