/**
 * Errors of the OpenAI-compatible HTTP client. They carry what a user needs (the server's own
 * message and HTTP status, or what happened to the connection) and never the API key.
 * `toUserError` (in describe.ts) turns them into kindling's UserError with a fix; the load generator
 * records `shortDescription()` per failed request.
 */

/** The server answered with an HTTP error status (vLLM: `{"object":"error","message":…}`). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    /** The server's own message (or the raw body's start when it is not JSON). */
    readonly serverMessage: string,
    readonly errorType: string | undefined,
    readonly url: string,
  ) {
    super(`HTTP ${status}: ${serverMessage}`);
    this.name = 'HttpStatusError';
  }
}

export type ConnectionFailureKind =
  | 'refused'
  | 'dns'
  | 'connect-timeout'
  | 'headers-timeout'
  | 'body-timeout'
  /** The connection closed in the middle of a response (a dropped stream). */
  | 'closed'
  | 'reset'
  | 'other';

/** The connection failed, timed out, or dropped mid-response. */
export class ConnectionError extends Error {
  constructor(
    readonly kind: ConnectionFailureKind,
    readonly url: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${connectionKindText(kind)} (${url})${detail ? `: ${detail}` : ''}`, options);
    this.name = 'ConnectionError';
  }
}

/** The stream broke its protocol: an error event inside it, or an end without `[DONE]`. */
export class StreamProtocolError extends Error {
  constructor(
    readonly kind: 'server-error-event' | 'incomplete' | 'bad-response',
    message: string,
  ) {
    super(message);
    this.name = 'StreamProtocolError';
  }
}

/** The caller aborted (Ctrl-C, a cancelled answer, the end of a benchmark). */
export class RequestAbortedError extends Error {
  constructor() {
    super('request cancelled');
    this.name = 'RequestAbortedError';
  }
}

export function connectionKindText(kind: ConnectionFailureKind): string {
  switch (kind) {
    case 'refused':
      return 'connection refused';
    case 'dns':
      return 'host not found';
    case 'connect-timeout':
      return 'connection timed out';
    case 'headers-timeout':
      return 'no response from the server in time';
    case 'body-timeout':
      return 'the stream stalled (no data in time)';
    case 'closed':
      return 'the server closed the connection mid-response';
    case 'reset':
      return 'connection reset';
    default:
      return 'connection failed';
  }
}

/** Maps an error thrown by undici (or Node's net layer) to a ConnectionError. */
export function classifyNetworkError(error: unknown, url: string): ConnectionError {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const message = e.message ?? String(error);
  let kind: ConnectionFailureKind = 'other';
  if (code === 'ECONNREFUSED') kind = 'refused';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') kind = 'dns';
  else if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') kind = 'connect-timeout';
  else if (code === 'UND_ERR_HEADERS_TIMEOUT') kind = 'headers-timeout';
  else if (code === 'UND_ERR_BODY_TIMEOUT') kind = 'body-timeout';
  else if (code === 'UND_ERR_SOCKET' || code === 'ECONNABORTED' || code === 'UND_ERR_CLOSED' || code === 'EPIPE')
    kind = 'closed';
  else if (code === 'ECONNRESET') kind = 'reset';
  // AggregateError from happy-eyeballs: look inside.
  const errors = (error as { errors?: unknown[] }).errors;
  if (kind === 'other' && Array.isArray(errors) && errors.length > 0) return classifyNetworkError(errors[0], url);
  return new ConnectionError(kind, url, kind === 'other' ? message : code ? `${code}` : '', { cause: error });
}

/** One line for a failed request in a benchmark (per-request JSONL, error tallies). */
export function shortDescription(error: unknown): string {
  if (error instanceof HttpStatusError) return `HTTP ${error.status}: ${truncate(error.serverMessage, 300)}`;
  if (error instanceof ConnectionError) return connectionKindText(error.kind) + (error.kind === 'other' ? `: ${error.detail}` : '');
  if (error instanceof StreamProtocolError) return truncate(error.message, 300);
  if (error instanceof RequestAbortedError) return 'cancelled';
  return truncate(error instanceof Error ? error.message : String(error), 300);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
