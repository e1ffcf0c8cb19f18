export { type BackendConformanceSettings, runBackendConformance } from './conformance/backend-conformance.js';
export {
  type BenchmarkConformanceSettings,
  runBenchmarkConformance,
} from './conformance/benchmark-conformance.js';
export { type HostileCase, type HostileCaseSettings, hostileCases } from './conformance/hostile-cases.js';
export { runSandboxConformance, type SandboxConformanceSettings } from './conformance/sandbox-conformance.js';
export { createMockBackend, type MockBackend, type MockBackendSettings } from './mock-backend.js';
export {
  createMockSandbox,
  type MockExecutionAnswer,
  type MockSandbox,
  type MockSandboxSettings,
} from './mock-sandbox.js';
export { createOfflineDatasetResolver } from './offline-dataset-resolver.js';
export { readResultsFile, readSamplesFile } from './run-files.js';
export { type ScriptedAnswer, scriptedLogprobs } from './scripted-answer.js';
export { createScriptedJudge, type ScriptedJudge, type ScriptedJudgeSettings } from './scripted-judge.js';
export {
  type Fault,
  type ReceivedRequest,
  type ScriptedMessage,
  type ScriptedReply,
  type ScriptedReplyRequest,
  type ScriptedServer,
  type ScriptedServerSettings,
  scriptedIsTopToken,
  scriptedTokenLogprob,
  scriptedTokens,
  startScriptedServer,
} from './scripted-server.js';
export { createRecordingLogger, sharedDatasetsDirectory, sharedModelsDirectory } from './shared-fixtures.js';
