/**
 * The fake vLLM (OpenAI-compatible) server for tests. The implementation lives in
 * src/client/testing/fake-openai-server.ts so that bench/client-overhead.mjs can bundle it too;
 * this module only re-exports it.
 */
export {
  startFakeVllm,
  countPromptTokens,
  wordTokens,
  type FakeFailure,
  type FakeReasoningMode,
  type FakeRequestInfo,
  type FakeRequestRecord,
  type FakeVllm,
  type FakeVllmOptions,
  type FakeVllmStats,
  type ChatRequestBody,
} from '../../src/client/testing/fake-openai-server.js';
