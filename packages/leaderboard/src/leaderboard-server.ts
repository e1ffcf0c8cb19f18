import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ConfigurationError, EvalchemyError, resultsFileSchema, sampleRecordSchema } from '@evalchemy/core';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { compareRuns, type RunComparison } from './compare-runs.js';
import type { Leaderboard, RunDetail } from './leaderboard.js';
import {
  faviconSvg,
  type PageContext,
  renderComparePage,
  renderMessagePage,
  renderRunPage,
  renderTablePage,
  type SamplesView,
} from './leaderboard-pages.js';
import { firstSchemaIssue } from './schema-issue.js';

/*
 * What `evalchemy leaderboard serve` serves: the pages and the JSON API over one open `Leaderboard`. Reading is
 * open to anyone; `POST /api/runs` needs the bearer token, and without a configured token every write is refused.
 */

export interface LeaderboardAppOptions {
  leaderboard: Leaderboard;
  /** Bearer token `POST /api/runs` requires (`EVALCHEMY_LEADERBOARD_TOKEN`); without one, writes are refused. */
  token?: string | undefined;
  /** Largest request body `POST /api/runs` accepts, in bytes; default 256 MiB (a run with its samples). */
  maxBodyBytes?: number;
  /** Bootstrap resamples of a comparison; default 10 000. */
  resamples?: number;
}

export interface ServeLeaderboardOptions extends LeaderboardAppOptions {
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
}

/** A running server: its base URL, and `close()` to stop it (the leaderboard stays open). */
export interface LeaderboardServer {
  url: string;
  close(): Promise<void>;
}

const samplesPerPage = 50;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The body of `POST /api/runs`: a results file, its samples per task, and how to name the model. */
const pushBodySchema = z.object({
  results: resultsFileSchema,
  samples: z.record(z.string(), z.array(sampleRecordSchema)).optional(),
  model: z
    .object({
      modelId: z.uuid().optional(),
      modelName: z.string().min(1).optional(),
      createdBy: z.string().optional(),
      creationLocation: z.string().optional(),
      isExternal: z.boolean().optional(),
    })
    .strict()
    .optional(),
});

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares in constant time: both sides hashed first, so neither the length nor a prefix leaks. */
function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function intParameter(value: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const parsed = Number.parseInt(value ?? '', 10);
  return Number.isFinite(parsed) && parsed >= 0 ? Math.min(parsed, max) : fallback;
}

type Env = { Variables: { nonce: string } };

/** The hono app: pages, JSON API, security headers. */
export function createLeaderboardApp(options: LeaderboardAppOptions): Hono<Env> {
  const { leaderboard } = options;
  const token = options.token === '' ? undefined : options.token;
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024 * 1024;
  const app = new Hono<Env>();
  // Runs never change once pushed, so a comparison is computed once (a few, most recent first).
  const comparisons = new Map<string, RunComparison>();

  app.use('*', async (c, next) => {
    const nonce = randomBytes(16).toString('base64');
    c.set('nonce', nonce);
    await next();
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    );
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
  });

  const context = (c: Context<Env>): PageContext => ({
    nonce: c.get('nonce'),
    location: leaderboard.location,
  });
  const notFoundPage = (c: Context<Env>, message: string) =>
    c.html(renderMessagePage(context(c), 'Not found', message), 404);

  async function findRun(runId: string | undefined): Promise<RunDetail | undefined> {
    if (runId === undefined || !uuidPattern.test(runId)) return undefined;
    return leaderboard.run(runId);
  }

  async function comparison(a: RunDetail, b: RunDetail): Promise<RunComparison> {
    const key = `${a.runId}/${b.runId}`;
    const cached = comparisons.get(key);
    if (cached) return cached;
    const computed = await compareRuns(leaderboard, a, b, {
      resamples: options.resamples ?? 10_000,
      seed: 0,
    });
    comparisons.set(key, computed);
    if (comparisons.size > 64) comparisons.delete(comparisons.keys().next().value as string);
    return computed;
  }

  /** Both runs of a comparison, or what is wrong with the request. */
  async function comparedRuns(
    c: Context<Env>,
  ): Promise<{ a: RunDetail; b: RunDetail } | { status: 400 | 404; message: string }> {
    const a = c.req.query('a')?.trim();
    const b = c.req.query('b')?.trim();
    if (!a || !b) return { status: 400, message: 'Give two run ids: /compare?a=RUN_ID&b=RUN_ID.' };
    const [runA, runB] = await Promise.all([findRun(a), findRun(b)]);
    if (runA === undefined) return { status: 404, message: `No run with id ${a} in this leaderboard.` };
    if (runB === undefined) return { status: 404, message: `No run with id ${b} in this leaderboard.` };
    return { a: runA, b: runB };
  }

  app.get('/favicon.svg', (c) => c.body(faviconSvg, 200, { 'Content-Type': 'image/svg+xml' }));
  app.get('/favicon.ico', (c) => c.redirect('/favicon.svg', 301));

  app.get('/', async (c) => {
    const [table, runs] = await Promise.all([leaderboard.table(), leaderboard.runs({ limit: 50 })]);
    return c.html(renderTablePage(context(c), table, runs));
  });

  app.get('/runs/:runId', async (c) => {
    const runId = c.req.param('runId');
    const run = await findRun(runId);
    if (run === undefined) return notFoundPage(c, `No run with id ${runId} in this leaderboard.`);
    const tasks = [
      ...new Set([
        ...Object.keys(run.results.tasks),
        ...Object.keys(run.results.results),
        ...Object.keys(run.results.task_errors),
      ]),
    ].sort();
    const requested = c.req.query('task');
    const task = requested !== undefined && tasks.includes(requested) ? requested : tasks[0];
    let view: SamplesView | undefined;
    if (task !== undefined) {
      const offset = intParameter(c.req.query('offset'), 0);
      const page = await leaderboard.samples(run.runId, task, { offset, limit: samplesPerPage });
      view = { task, offset, limit: samplesPerPage, total: page.total, rows: page.rows };
    }
    const otherRuns = await leaderboard.runs({ modelId: run.modelId, limit: 50 });
    return c.html(renderRunPage(context(c), run, otherRuns, view));
  });

  app.get('/compare', async (c) => {
    const runs = await comparedRuns(c);
    if ('status' in runs) {
      const title = runs.status === 404 ? 'Not found' : 'Two runs needed';
      return c.html(renderMessagePage(context(c), title, runs.message), runs.status);
    }
    return c.html(renderComparePage(context(c), await comparison(runs.a, runs.b)));
  });

  app.get('/api/table', async (c) => {
    const model = c.req.query('model');
    return c.json(await leaderboard.table(model ? { modelFilter: model } : {}));
  });

  app.get('/api/runs', async (c) => {
    const modelId = c.req.query('model_id');
    if (modelId !== undefined && !uuidPattern.test(modelId)) return c.json([]);
    const limit = c.req.query('limit');
    return c.json(
      await leaderboard.runs({
        ...(modelId ? { modelId } : {}),
        ...(limit !== undefined ? { limit: intParameter(limit, 100, 10_000) } : {}),
      }),
    );
  });

  app.get('/api/runs/:runId', async (c) => {
    const run = await findRun(c.req.param('runId'));
    if (run === undefined) return c.json({ error: `No run with id ${c.req.param('runId')}.` }, 404);
    return c.json(run);
  });

  app.get('/api/runs/:runId/samples', async (c) => {
    const run = await findRun(c.req.param('runId'));
    if (run === undefined) return c.json({ error: `No run with id ${c.req.param('runId')}.` }, 404);
    const task = c.req.query('task');
    if (!task) return c.json({ error: 'Give the task: ?task=TASK (&offset=, &limit=).' }, 400);
    const offset = intParameter(c.req.query('offset'), 0);
    const limit = intParameter(c.req.query('limit'), samplesPerPage, 1000);
    return c.json(await leaderboard.samples(run.runId, task, { offset, limit }));
  });

  app.get('/api/compare', async (c) => {
    const runs = await comparedRuns(c);
    if ('status' in runs) return c.json({ error: runs.message }, runs.status);
    return c.json(await comparison(runs.a, runs.b));
  });

  app.post(
    '/api/runs',
    async (c, next) => {
      if (token === undefined) {
        return c.json(
          {
            error:
              'This leaderboard accepts no writes: start the server with EVALCHEMY_LEADERBOARD_TOKEN set, and send it as "Authorization: Bearer <token>".',
          },
          403,
        );
      }
      const header = c.req.header('authorization') ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header.trim());
      if (match === null || !tokenMatches(match[1] as string, token)) {
        c.header('WWW-Authenticate', 'Bearer');
        return c.json(
          {
            error:
              match === null
                ? 'Writing needs "Authorization: Bearer <token>" with the server\'s EVALCHEMY_LEADERBOARD_TOKEN.'
                : "The bearer token is not this server's EVALCHEMY_LEADERBOARD_TOKEN.",
          },
          401,
        );
      }
      await next();
    },
    bodyLimit({
      maxSize: maxBodyBytes,
      // The rest of the body is not read: the connection cannot carry another request.
      onError: (c) => {
        c.header('Connection', 'close');
        return c.json({ error: `The body is larger than the server's limit of ${maxBodyBytes} bytes.` }, 413);
      },
    }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json(
          {
            error:
              'The body is not JSON: send { "results": <results file>, "samples"?: { "<task>": [<sample record>, …] } }.',
          },
          400,
        );
      }
      const parsed = pushBodySchema.safeParse(body);
      if (!parsed.success)
        return c.json({ error: `Invalid body: ${firstSchemaIssue(parsed.error, 'body')}` }, 400);
      const { results, samples, model } = parsed.data;
      try {
        const outcome = await leaderboard.push({
          results,
          samples: samples ?? {},
          resultsPath: null,
          ...(model
            ? { model: Object.fromEntries(Object.entries(model).filter(([, v]) => v !== undefined)) }
            : {}),
        });
        comparisons.clear();
        return c.json(outcome, outcome.added ? 201 : 200);
      } catch (error) {
        if (ConfigurationError.isInstance(error)) return c.json({ error: error.message }, 400);
        throw error;
      }
    },
  );

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/'))
      return c.json({ error: `No such endpoint: ${c.req.method} ${c.req.path}` }, 404);
    return notFoundPage(c, `Nothing at ${c.req.path}.`);
  });

  app.onError((error, c) => {
    // Store errors say which database and what to check, never a password; anything else stays on the server.
    const message = EvalchemyError.isInstance(error)
      ? error.message
      : 'An unexpected error occurred; see the server log.';
    if (!EvalchemyError.isInstance(error)) console.error(error);
    if (c.req.path.startsWith('/api/')) return c.json({ error: message }, 500);
    return c.html(renderMessagePage(context(c), 'Error', message), 500);
  });

  return app;
}

/** Serves the leaderboard over HTTP on `host:port` until `close()`. */
export async function serveLeaderboard(options: ServeLeaderboardOptions): Promise<LeaderboardServer> {
  const app = createLeaderboardApp(options);
  const host = options.host ?? '127.0.0.1';
  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>(
    (resolve, reject) => {
      const started = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, (info) =>
        resolve({ server: started, address: info }),
      );
      started.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new ConfigurationError(
            `Could not listen on ${host}:${options.port ?? 0} (${error.code ?? error.message}): ${
              error.code === 'EADDRINUSE'
                ? 'the port is in use, choose another'
                : 'choose another host or port'
            }.`,
            { cause: error },
          ),
        ),
      );
    },
  );
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
