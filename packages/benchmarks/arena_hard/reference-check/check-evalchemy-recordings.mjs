// Checks the built package (dist/) against every judgment and answer Evalchemy recorded with arena-hard-auto
// v0.1 (mlfoundations/evalchemy@8120ac1, eval/chat_benchmarks/arena_hard_auto/data). Usage, from this folder
// after `pnpm exec nx run @evalchemy/benchmark-arena_hard:build`:
//   E=/path/to/evalchemy-clone; D=eval/chat_benchmarks/arena_hard_auto/data/arena-hard-v0.1; mkdir -p /tmp/evc
//   J=$D/model_judgment/gpt-4o-mini-2024-07-18; Q='model_hf_model_args_pretrained=Qwen__Qwen1.5-1.8B'
//   git -C $E show "8120ac1:$J/gpt-3.5-turbo-0125.jsonl" > /tmp/evc/gpt35.jsonl
//   git -C $E show "8120ac1:$J/$Q-Chat,batch_size=2.jsonl" > /tmp/evc/qwenchat.jsonl
//   git -C $E show "8120ac1:$J/$Q,batch_size=2.jsonl" > /tmp/evc/qwenbase.jsonl
//   git -C $E show "8120ac1:$D/model_answer/gpt-3.5-turbo-0125.jsonl" > /tmp/evc/gpt35.answer.jsonl
//   git -C $E show "8120ac1:$D/model_answer/$Q-Chat,batch_size=2.jsonl" > /tmp/evc/qwenchat.answer.jsonl
//   EVALCHEMY_DATASETS_DIR=/path/to/shared/datasets node check-evalchemy-recordings.mjs /tmp/evc
// Result (2026-12-02): every judge prompt (64 + 200) and label (64 + 200 + 10) as recorded; token counts of
// all 100 + 500 answers equal the recorded token_len; avg_tokens 635 and 329, as the recorded leaderboards.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatJudgePrompt, parseV01Verdict, tokenLength } from '../dist/index.js';

const directory = process.argv[2];
const data = join(
  process.env.EVALCHEMY_DATASETS_DIR ?? '../../../../../shared/datasets',
  'arena-hard/arena-hard-v0.1',
);
const lines = (path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
const questions = new Map(lines(join(data, 'question.jsonl')).map((q) => [q.uid, q.prompt]));
const baseline = new Map(
  lines(join(data, 'model_answer/gpt-4-0314.jsonl')).map((a) => [a.uid, a.messages.at(-1).content.answer]),
);
for (const [name, answerFile] of [
  ['gpt35', 'gpt35.answer.jsonl'],
  ['qwenchat', 'qwenchat.answer.jsonl'],
  ['qwenbase', null],
]) {
  const answerRows = answerFile ? lines(join(directory, answerFile)) : [];
  const answers = new Map(answerRows.map((a) => [a.question_id, a.choices[0].turns[0]]));
  const counts = {
    games: 0,
    labels: 0,
    prompts: 0,
    promptsEqual: 0,
    answers: answerRows.length,
    tokenLens: 0,
  };
  let tokens = 0;
  for (const turn of answers.values()) {
    const length = tokenLength(turn.content);
    tokens += length;
    if (length === turn.token_len) counts.tokenLens++;
  }
  for (const row of lines(join(directory, `${name}.jsonl`))) {
    const answer = answers.get(row.question_id)?.content;
    row.games.forEach((game, index) => {
      counts.games++;
      if ((parseV01Verdict(game.judgment).verdict?.label ?? null) === game.score) counts.labels++;
      if (answer === undefined) return;
      counts.prompts++;
      const [a, b] =
        index === 0 ? [baseline.get(row.question_id), answer] : [answer, baseline.get(row.question_id)];
      if (formatJudgePrompt(questions.get(row.question_id), a, b) === game.user_prompt) counts.promptsEqual++;
    });
  }
  console.log(name, counts, 'avg_tokens', answerRows.length ? Math.trunc(tokens / answerRows.length) : '-');
}
