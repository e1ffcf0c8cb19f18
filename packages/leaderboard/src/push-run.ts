import { createHash, randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import {
  ConfigurationError,
  isStderrKey,
  type ResultsFileV1,
  resultsFileSchema,
  type SampleRecordV1,
  sampleRecordSchema,
  stderrKey,
} from '@evalchemy/core';
import type { PushInput, PushOutcome } from './leaderboard.js';
import type { LeaderboardDriver, LeaderboardQueryable } from './leaderboard-driver.js';
import { answerText, promptText } from './sample-text.js';
import { firstSchemaIssue } from './schema-issue.js';

/** The advisory lock under which pushes find or add models and settings (one push at a time per database). */
const pushLockKey = 7_315_002;
const sampleBatchSize = 1_000;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class AlreadyThere extends Error {
  constructor(readonly outcome: PushOutcome) {
    super('run already in the leaderboard');
  }
}

/** Records a run in one transaction; nothing is written when its `run_id` is already there. */
export async function pushRun(driver: LeaderboardDriver, input: PushInput): Promise<PushOutcome> {
  const source = input.resultsPath ?? 'the pushed results';
  const results = validateResults(input.results, source);
  const samples = validateSamples(input.samples, results, source);
  const options = input.model ?? {};
  if (options.modelId !== undefined && !uuidPattern.test(options.modelId)) {
    throw new ConfigurationError(
      `model id "${options.modelId}" is not a UUID: give the id of a row of the leaderboard's models table, or --model_name instead.`,
    );
  }
  const createdBy = options.createdBy ?? safeUserName();
  const creationLocation = options.creationLocation ?? hostname();
  try {
    return await driver.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [pushLockKey]);
      const existing = await existingRun(tx, results.run_id);
      if (existing !== undefined) return existing;

      const model = await findOrAddModel(tx, {
        modelId: options.modelId,
        name: options.modelName ?? results.model.model_id,
        createdBy,
        creationLocation,
        isExternal: options.isExternal ?? false,
      });
      const inserted = await tx.query(
        `INSERT INTO runs (run_id, model_id, backend, model, results, start_time, end_time, wall_clock_seconds,
           cost_usd, created_by, creation_location, pushed_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::timestamptz, $7::timestamptz, $8, $9, $10, $11, now())
         ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
        [
          results.run_id,
          model.id,
          results.model.backend,
          results.model.model_id,
          JSON.stringify(results),
          results.timing.start,
          results.timing.end,
          results.timing.wall_clock_seconds,
          results.usage.cost_usd ?? null,
          createdBy,
          creationLocation,
        ],
      );
      if (inserted.length === 0) {
        // Another process wrote it meanwhile: roll back the model this transaction may have added.
        throw new AlreadyThere({
          runId: results.run_id,
          added: false,
          modelId: model.id,
          modelName: model.name,
          tasks: 0,
          samples: 0,
        });
      }

      const tasks = Object.keys(results.tasks).sort();
      let sampleRows = 0;
      for (const task of tasks) {
        await insertTask(tx, results, task, model.id, {
          createdBy,
          creationLocation,
          resultsPath: input.resultsPath,
        });
        sampleRows += await insertSamples(tx, results, task, samples[task] ?? []);
      }
      return {
        runId: results.run_id,
        added: true,
        modelId: model.id,
        modelName: model.name,
        tasks: tasks.length,
        samples: sampleRows,
      };
    });
  } catch (error) {
    if (error instanceof AlreadyThere) return error.outcome;
    throw error;
  }
}

function validateResults(results: unknown, source: string): ResultsFileV1 {
  const parsed = resultsFileSchema.safeParse(results);
  if (parsed.success) return parsed.data;
  throw new ConfigurationError(
    `${source} is not an evalchemy results file: ${firstSchemaIssue(parsed.error, '(the whole file)')}. Push a results_<timestamp>.json written by evalchemy run.`,
  );
}

function validateSamples(
  samples: Record<string, unknown[]>,
  results: ResultsFileV1,
  source: string,
): Record<string, SampleRecordV1[]> {
  const validated: Record<string, SampleRecordV1[]> = {};
  for (const [task, records] of Object.entries(samples)) {
    if (results.tasks[task] === undefined) continue;
    const seen = new Set<string>();
    validated[task] = records.map((record, line) => {
      const parsed = sampleRecordSchema.safeParse(record);
      if (!parsed.success) {
        throw new ConfigurationError(
          `sample ${line + 1} of task ${task} (beside ${source}) is not an evalchemy sample record: ${firstSchemaIssue(parsed.error, '(the whole record)')}. Push the samples file evalchemy run wrote with the results.`,
        );
      }
      if (seen.has(parsed.data.sample_id)) {
        throw new ConfigurationError(
          `task ${task} (beside ${source}) has sample id "${parsed.data.sample_id}" twice: each sample of a run must appear once in its samples file.`,
        );
      }
      seen.add(parsed.data.sample_id);
      return parsed.data;
    });
  }
  return validated;
}

async function existingRun(tx: LeaderboardQueryable, runId: string): Promise<PushOutcome | undefined> {
  const rows = await tx.query<{ model_id: string; name: string }>(
    'SELECT r.model_id, m.name FROM runs r JOIN models m ON m.id = r.model_id WHERE r.run_id = $1',
    [runId],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : { runId, added: false, modelId: row.model_id, modelName: row.name, tasks: 0, samples: 0 };
}

async function findOrAddModel(
  tx: LeaderboardQueryable,
  model: {
    modelId: string | undefined;
    name: string;
    createdBy: string;
    creationLocation: string;
    isExternal: boolean;
  },
): Promise<{ id: string; name: string }> {
  if (model.modelId !== undefined) {
    const rows = await tx.query<{ id: string; name: string }>('SELECT id, name FROM models WHERE id = $1', [
      model.modelId,
    ]);
    const row = rows[0];
    if (row === undefined) {
      throw new ConfigurationError(
        `model id ${model.modelId} is not in the leaderboard's models table: give the id of an existing model, or --model_name to find or add a model by name.`,
      );
    }
    return row;
  }
  const found = await tx.query<{ id: string; name: string }>(
    'SELECT id, name FROM models WHERE name = $1 ORDER BY creation_time ASC NULLS LAST, id ASC LIMIT 1',
    [model.name],
  );
  if (found[0] !== undefined) return found[0];
  const id = randomUUID();
  // As Evalchemy registers a model it evaluates: no training parameters, weights 'NA', training started now.
  await tx.query(
    `INSERT INTO models (id, name, created_by, creation_location, creation_time, training_start, training_parameters,
       is_external, weights_location, last_modified)
     VALUES ($1, $2, $3, $4, now(), now(), '{}'::jsonb, $5, 'NA', now())`,
    [id, model.name, model.createdBy, model.creationLocation, model.isExternal],
  );
  return { id, name: model.name };
}

/** The task's configuration that does not depend on the model: what `evalsettings.parameters` holds. */
export function evalSettingParameters(results: ResultsFileV1, task: string): Record<string, unknown> {
  const record = results.tasks[task];
  return {
    task,
    version: record?.version ?? null,
    options: record?.options ?? null,
    datasets: (record?.datasets ?? []).map((dataset) => ({
      repository: dataset.repository,
      path: dataset.path,
      sha256: dataset.sha256,
    })),
    limit: results.config.limit ?? null,
    max_tokens: results.config.max_tokens ?? null,
    seed: results.seeds.seed,
    system_instruction: results.config.system_instruction ?? null,
    judges: Object.fromEntries(
      Object.entries(record?.judge_audit ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([role, audit]) => [role, { backend: audit.backend, model_id: audit.model_id }]),
    ),
  };
}

/** JSON with every object's keys sorted, so that equal configurations hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

async function insertTask(
  tx: LeaderboardQueryable,
  results: ResultsFileV1,
  task: string,
  modelId: string,
  context: { createdBy: string; creationLocation: string; resultsPath: string | null },
): Promise<void> {
  const record = results.tasks[task];
  if (record === undefined) return;
  const metrics = results.results[task] ?? {};
  const counts = results['n-samples'][task] ?? { effective: 0, scored: 0, failed: 0 };
  const modelCost = record.usage.model.cost_usd;
  const judgeCost = record.usage.judge === undefined ? 0 : record.usage.judge.cost_usd;
  const cost =
    modelCost === undefined || modelCost === null || judgeCost === undefined || judgeCost === null
      ? null
      : modelCost + judgeCost;
  await tx.query(
    `INSERT INTO run_tasks (run_id, task, identity, version, primary_metric, metrics, effective, scored, failed, cost_usd)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)`,
    [
      results.run_id,
      task,
      record.identity,
      record.version,
      results.primary_metrics[task] ?? null,
      JSON.stringify(metrics),
      counts.effective,
      counts.scored,
      counts.failed,
      cost,
    ],
  );

  const parameters = evalSettingParameters(results, task);
  const parametersJson = canonicalJson(parameters);
  const hash = createHash('sha256').update(parametersJson).digest('hex');
  for (const metric of Object.keys(metrics).sort()) {
    const score = metrics[metric];
    if (isStderrKey(metric) || typeof score !== 'number') continue;
    const name = `${task}_${metric}`;
    await tx.query(
      `INSERT INTO evalsettings (id, name, parameters, eval_version_hash, task, metric)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6) ON CONFLICT (name, eval_version_hash) WHERE task IS NOT NULL DO NOTHING`,
      [randomUUID(), name, parametersJson, hash, task, metric],
    );
    const setting = await tx.query<{ id: string }>(
      'SELECT id FROM evalsettings WHERE name = $1 AND eval_version_hash = $2 AND task IS NOT NULL',
      [name, hash],
    );
    const stderr = metrics[stderrKey(metric)];
    await tx.query(
      `INSERT INTO evalresults (id, model_id, eval_setting_id, score, created_by, creation_time, creation_location,
         completions_location, run_id, stderr)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8, $9, $10)`,
      [
        randomUUID(),
        modelId,
        setting[0]?.id,
        score,
        context.createdBy,
        results.timing.end,
        context.creationLocation,
        context.resultsPath ?? 'NA', // Evalchemy's column is NOT NULL; it writes 'NA' where there is none
        results.run_id,
        typeof stderr === 'number' ? stderr : null,
      ],
    );
  }
}

async function insertSamples(
  tx: LeaderboardQueryable,
  results: ResultsFileV1,
  task: string,
  records: SampleRecordV1[],
): Promise<number> {
  const primary = results.primary_metrics[task];
  const sorted = [...records].sort((a, b) => a.index - b.index);
  for (let start = 0; start < sorted.length; start += sampleBatchSize) {
    const batch = sorted.slice(start, start + sampleBatchSize);
    await tx.query(
      `INSERT INTO sample_scores (run_id, task, sample_id, sample_index, score, metrics, prompt, answer, error)
       SELECT $1::uuid, $2::text, s.sample_id, s.sample_index, s.score, s.metrics::jsonb, s.prompt, s.answer, s.error
       FROM unnest($3::text[], $4::integer[], $5::double precision[], $6::text[], $7::text[], $8::text[], $9::text[])
         AS s (sample_id, sample_index, score, metrics, prompt, answer, error)`,
      [
        results.run_id,
        task,
        batch.map((record) => record.sample_id),
        batch.map((record) => record.index),
        batch.map((record) => {
          const value =
            primary === undefined || record.error !== undefined ? undefined : record.metrics?.[primary];
          return typeof value === 'number' ? value : null;
        }),
        batch.map((record) => (record.metrics === undefined ? null : JSON.stringify(record.metrics))),
        batch.map((record) => stripNul(promptText(record))),
        batch.map((record) => {
          const answer = answerText(record);
          return answer === null ? null : stripNul(answer);
        }),
        batch.map((record) => (record.error === undefined ? null : stripNul(record.error))),
      ],
    );
  }
  return sorted.length;
}

// PostgreSQL text cannot hold NUL characters; a model may generate them.
function stripNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
