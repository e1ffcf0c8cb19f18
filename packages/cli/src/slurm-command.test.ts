// evalchemy slurm submit as a user sees it without a cluster: the scripts of --dry_run (array range, GPUs,
// the merge's dependency, no secret), what a shard's script really starts, and the refusals. The jobs
// running on a real Slurm are in slurm.slurm.test.ts.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalchemy } from './__fixtures__/evalchemy-cli.js';
import { splitShellWords } from './slurm-scripts.js';

const runCommand = [
  'run',
  '--model',
  'openai',
  '--model_args',
  'model=m,base_url=http://127.0.0.1:9/v1',
  '--tasks',
  'gsm8k',
  '--limit',
  '12',
];

/** The scripts `--dry_run` printed, by file name. */
function scriptsOf(stdout: string): { array: string; merge: string; commands: string } {
  const [, array = '', merge = '', commands = ''] = stdout.split(/^# (?:\S+\.sbatch|would run:)$/m);
  return { array, merge, commands };
}

describe('evalchemy slurm submit --dry_run', () => {
  it('prints an array job of N tasks with GPUs, partition and time, and a merge job after all of them, with no secret', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-dry-'));
    const result = await evalchemy(
      [
        'slurm',
        'submit',
        '--shards',
        '4',
        '--gpus_per_shard',
        '2',
        '--partition',
        'gpu',
        '--time',
        '04:00:00',
        '--sbatch_args',
        "--account=lab --comment 'two words'",
        '--dry_run',
        '--',
        ...runCommand,
      ],
      { cwd, env: { OPENAI_API_KEY: 'sk-secret-0123456789', EVALCHEMY_JUDGE_API_KEY: 'sk-judge-secret' } },
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const { array, merge, commands } = scriptsOf(result.stdout);
    expect(array).toContain('#SBATCH --array=0-3\n');
    expect(array).toContain('#SBATCH --gres=gpu:2\n');
    expect(array).toContain('#SBATCH --partition=gpu\n');
    expect(array).toContain('#SBATCH --time=04:00:00\n');
    expect(array).toContain("#SBATCH --comment 'two words'\n");
    expect(array).toMatch(/#SBATCH --output=\S+\/logs\/shard_%A_%a\.out\n/);
    expect(array).toMatch(/#SBATCH --error=\S+\/logs\/shard_%A_%a\.err\n/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell variable the script expands
    expect(array).toContain('--shard "${SLURM_ARRAY_TASK_ID}/4"');
    const runId = /--run_id (\S+)/.exec(array)?.[1];
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    // The merge job merges that run's results, on no GPU, once every array task succeeded.
    expect(merge).toMatch(new RegExp(`merge \\S+/results --run_id ${runId}\\n`));
    expect(merge).not.toContain('--gres');
    expect(merge).toContain('#SBATCH --account=lab\n');
    expect(commands).toMatch(/^sbatch --parsable \S+\/shards\.sbatch$/m);
    expect(commands).toMatch(/^sbatch --parsable --dependency=afterok:<array job id> \S+\/merge\.sbatch$/m);
    // The jobs inherit the environment: keys are never written.
    expect(array).toContain('#SBATCH --export=ALL\n');
    expect(result.stdout).not.toContain('sk-secret');
    expect(result.stdout).not.toContain('sk-judge-secret');
    // Nothing is written on a dry run.
    expect(existsSync(join(cwd, 'evalchemy-slurm'))).toBe(false);
  });

  it("gives the merge job the run's --include_path, where its plugins are", async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-include-'));
    const result = await evalchemy(
      ['slurm', 'submit', '--shards', '2', '--dry_run', '--', ...runCommand, '--include_path', 'my plugins'],
      { cwd },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const { merge } = scriptsOf(result.stdout);
    expect(merge).toMatch(/ merge \S+\/results --run_id \S+ --include_path 'my plugins'\n/);
  });

  it('asks for no GPU without --gpus_per_shard, and a shard script starts exactly the command with its shard', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-dry-'));
    const command = [...runCommand, '--system_instruction', `It's "quoted" $HOME \`x\` and spaced`];
    const result = await evalchemy(
      [
        'slurm',
        'submit',
        '--shards',
        '3',
        '--job_dir',
        'jobs/one',
        '--evalchemy',
        "printf '%s\\n'",
        '--dry_run',
        '--',
        ...command,
      ],
      { cwd },
    );
    expect(result.exitCode).toBe(0);
    const { array } = scriptsOf(result.stdout);
    expect(array).not.toContain('--gres');
    expect(array).toContain(`#SBATCH --chdir=${cwd}\n`);
    // bash runs the script as Slurm would for array task 1: the words evalchemy gets are the command's.
    const words = execFileSync('bash', ['-c', array], {
      env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: '1' },
      encoding: 'utf8',
    })
      .trimEnd()
      .split('\n');
    const runId = /--run_id (\S+)/.exec(array)?.[1];
    expect(words).toEqual([
      ...command,
      '--shard',
      '1/3',
      '--run_id',
      runId,
      '--output_path',
      join(cwd, 'jobs/one/results'),
    ]);
  });
});

describe('evalchemy slurm submit refuses', () => {
  it.each([
    [['--shards', '2'], 'needs the command each shard runs after "--"'],
    [['--shards', '2', '--'], 'needs the command each shard runs after "--"'],
    [['--', ...runCommand], 'needs --shards N'],
    [['--shards', '0', '--', ...runCommand], '--shards must be an integer ≥ 1'],
    [
      ['--shards', '2', '--gpus_per_shard', 'two', '--', ...runCommand],
      '--gpus_per_shard must be an integer ≥ 0',
    ],
    [['--shards', '2', '--gpu', '1', '--', ...runCommand], "Unknown option '--gpu'"],
    [['--shards', '2', '--', 'merge', 'results'], 'must be an "evalchemy run …" command'],
    [
      ['--shards', '2', '--', ...runCommand, '--output_path', 'out'],
      '--output_path in the command after "--"',
    ],
    [['--shards', '2', '--', ...runCommand, '-o', 'out'], '-o/--output_path in the command after "--"'],
    [['--shards', '2', '--', ...runCommand, '--shard', '0/2'], '--shard in the command after "--"'],
    [
      ['--shards', '2', '--', ...runCommand, '--num_shards=2', '--shard_index', '1'],
      '--num_shards, --shard_index',
    ],
    [
      ['--shards', '2', '--', ...runCommand, '--run_id', 'x'],
      'evalchemy slurm sets --shard, --run_id and --output_path',
    ],
    [['--shards', '2', '--', ...runCommand, '--limt', '3'], "Unknown option '--limt'"],
    [
      ['--shards', '2', '--', ...runCommand, '--use_database'],
      'push the merged results file once the merge job is done',
    ],
  ])('%j', async (args, message) => {
    const result = await evalchemy(['slurm', 'submit', '--dry_run', ...args]);
    expect(result.stderr).toContain(message);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('an api_key in --model_args or --judge_args, saying to export it, without showing it', async () => {
    const json = await evalchemy(
      ['slurm', 'submit', '--shards', '2', '--dry_run', '--'].concat(runCommand, [
        '--model_args',
        '{"model":"m","hf_token":"hf_do-not-show"}',
      ]),
    );
    expect(json.stderr).toContain('--model_args in the command after "--" holds hf_token=…');
    expect(json.stderr).not.toContain('do-not-show');
    expect(json.exitCode).toBe(2);
    for (const flag of ['--model_args', '--judge_args']) {
      const result = await evalchemy([
        'slurm',
        'submit',
        '--shards',
        '2',
        '--dry_run',
        '--',
        ...runCommand,
        flag,
        'model=m,api_key=sk-do-not-show-0123',
      ]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`${flag} in the command after "--" holds api_key=…`);
      expect(result.stderr).toContain('Export the key instead (OPENAI_API_KEY');
      expect(result.stderr).not.toContain('sk-do-not-show');
      expect(result.stdout).toBe('');
    }
  });

  it('to submit without sbatch on the PATH, saying where to run it', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-nosbatch-'));
    const result = await evalchemy(['slurm', 'submit', '--shards', '2', '--', ...runCommand], {
      cwd,
      env: { PATH: dirname(process.execPath) },
    });
    expect(result.stderr).toContain('sbatch was not found on the PATH: run evalchemy slurm on a login node');
    expect(result.exitCode).toBe(2);
  });
});

describe('evalchemy slurm status', () => {
  it('without a job directory says which to give', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-status-'));
    const result = await evalchemy(['slurm', 'status'], { cwd });
    expect(result.stderr).toContain('no job directory under');
    expect(result.exitCode).toBe(2);
    const other = await evalchemy(['slurm', 'status', '--job_dir', 'nowhere'], { cwd });
    expect(other.stderr).toContain('slurm-job.json could not be read (ENOENT)');
    expect(other.exitCode).toBe(2);
  });
});

describe('--sbatch_args', () => {
  it('is split into words as a shell would, without expansion', () => {
    expect(splitShellWords(`--qos=high  --comment 'a b' --x="c \\"d\\"" $HOME`, 'f')).toEqual([
      '--qos=high',
      '--comment',
      'a b',
      '--x=c "d"',
      '$HOME',
    ]);
    expect(() => splitShellWords("--comment 'open", '--sbatch_args')).toThrow(
      "--sbatch_args: a ' quote is not closed",
    );
  });
});
