import { runBenchmarkConformance } from '@evalchemy/test-kit';
import ifeval from './index.js';

runBenchmarkConformance(ifeval, { packageJsonPath: new URL('../package.json', import.meta.url) });
