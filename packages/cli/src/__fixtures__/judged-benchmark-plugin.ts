import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JudgeRoleV1 } from '@evalchemy/core';

/**
 * Writes a project whose node_modules holds benchmark plugins judged by the given roles, as a user's project
 * with a third-party plugin: each plugin asks "Say <word>" of three samples and, per sample, asks its i-th role
 * (in declaration order) i + 1 times whether the answer is right (`<role>: is "<answer>" right? (call <n>)`);
 * metric `<role>` is 1 when every answer of that role was `yes`. Returns the project's directory.
 */
export async function projectWithJudgedBenchmarks(
  benchmarks: { id: string; roles: Record<string, JudgeRoleV1> }[],
): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'evalchemy-judged-'));
  for (const { id, roles } of benchmarks) {
    const directory = join(project, 'node_modules', `evalchemy-benchmark-${id}`);
    await mkdir(directory, { recursive: true });
    await writeFile(
      join(directory, 'package.json'),
      JSON.stringify({
        name: `evalchemy-benchmark-${id}`,
        version: '1.0.0',
        type: 'module',
        evalchemy: { manifestVersion: 1, kind: 'benchmark', id, entry: './index.js', specification: 'v1' },
      }),
    );
    await writeFile(join(directory, 'index.js'), benchmarkSource(id, roles));
  }
  return project;
}

function benchmarkSource(id: string, roles: Record<string, JudgeRoleV1>): string {
  return `const roles = ${JSON.stringify(roles)};
export default {
  specificationVersion: 'v1',
  kind: 'benchmark',
  id: ${JSON.stringify(id)},
  version: '1.0.0',
  description: 'a judged test benchmark',
  // No options: a schema of no keys (parsePluginOptions rejects unknown ones by its shape).
  optionsSchema: { shape: {}, safeParse: (data) => ({ success: true, data }) },
  requirements: { judges: roles },
  primaryMetric: Object.keys(roles)[0],
  async doLoad() {
    const words = ['one', 'two', 'three'];
    return { size: words.length, samples: words.map((word, index) => ({ id: 's' + index, data: word })) };
  },
  doPlan(sample) {
    return { type: 'chat', turns: ['Say ' + sample.data], parameters: { temperature: 0 } };
  },
  async doScore(sample, responses, context) {
    const answer = responses.generations[0][0].text;
    const metrics = {};
    for (const [index, role] of Object.keys(roles).entries()) {
      let right = 1;
      for (let call = 0; call <= index; call++) {
        const verdict = await context.judges[role].judge(
          {
            messages: [{ role: 'user', content: role + ': is "' + answer + '" right? (call ' + call + ')' }],
            parameters: { temperature: 0 },
            call,
          },
          { signal: context.signal },
        );
        if (verdict.text.trim() !== 'yes') right = 0;
      }
      metrics[role] = right;
    }
    return { metrics };
  },
};
`;
}
