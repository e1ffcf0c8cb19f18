export { type BackendConformanceSettings, runBackendConformance } from './conformance/backend-conformance.js';
export {
  type BenchmarkConformanceSettings,
  runBenchmarkConformance,
  scriptedJudge,
} from './conformance/benchmark-conformance.js';
export { type ScriptedHub, startScriptedHub } from './scripted-hub.js';
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
