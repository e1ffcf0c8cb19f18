export {
  type CodeBenchmarkHarness,
  codeBenchmarkHarness,
  detailList,
  generatedReplies,
  loadAllSamples,
  planFor,
  type SuiteSandbox,
  scoreContextFor,
  useSuiteSandbox,
} from './code-benchmark-testing.js';
export { expectNumpy, type SandboxPython, sandboxPythons } from './sandbox-pythons.js';
export { verdictForgeryBody } from './verdict-forgery.js';
