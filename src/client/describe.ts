/**
 * Turns client errors into kindling's typed errors: what went wrong (the server's own message and
 * HTTP status, or what happened to the connection) and the fix. Never a stack trace.
 */
import { ExitCode, InterruptedError, KindlingError, UserError } from '../core/errors.js';
import { ConnectionError, HttpStatusError, RequestAbortedError, StreamProtocolError } from './errors.js';

const STATUS_HINT = 'Is the model ready? kindling status';

export function toUserError(error: unknown, endpoint: string, signal?: AbortSignal): Error {
  if (error instanceof KindlingError) return error;
  if (error instanceof RequestAbortedError || signal?.aborted) return new InterruptedError();
  if (error instanceof HttpStatusError) {
    const what = `HTTP ${error.status}: ${error.serverMessage}`;
    if (error.status === 401 || error.status === 403) {
      return new UserError(`The server at ${endpoint} refused the request (${what}).`, {
        exitCode: ExitCode.failed,
        fix: 'Put the API key in an environment variable and pass its name: --api-key-env VAR (default: OPENAI_API_KEY)',
      });
    }
    if (error.status === 404 && /model/i.test(error.serverMessage)) {
      return new UserError(`The server at ${endpoint} does not serve that model (${what}).`, {
        fix: 'Leave MODEL out to use the served one, or list them: curl ' + endpoint + '/v1/models',
      });
    }
    if (error.status === 404) {
      return new UserError(`${endpoint} is not an OpenAI-compatible endpoint (${what}).`, {
        fix: 'Pass the server root, e.g. --endpoint http://HOST:PORT (kindling adds /v1/...)',
      });
    }
    if (error.status === 502 || error.status === 503 || error.status === 504) {
      return new UserError(`The model server at ${endpoint} is not ready (${what}).`, {
        exitCode: ExitCode.failed,
        fix: [STATUS_HINT, 'Wait until it shows Ready, then try again.'],
      });
    }
    if (error.status === 400 && /context length|max_tokens|maximum/i.test(error.serverMessage)) {
      return new UserError(`The server rejected the request (${what}).`, {
        exitCode: ExitCode.failed,
        fix: 'Ask for fewer tokens (--max-tokens) or send a shorter prompt.',
      });
    }
    if (error.status >= 400 && error.status < 500) {
      return new UserError(`The server rejected the request (${what}).`, { exitCode: ExitCode.failed });
    }
    return new UserError(`The model server at ${endpoint} failed (${what}).`, {
      exitCode: ExitCode.failed,
      fix: ['See its logs: kindling model logs MODEL', STATUS_HINT],
    });
  }
  if (error instanceof ConnectionError) {
    switch (error.kind) {
      case 'refused':
        return new UserError(`Cannot connect to ${endpoint} (connection refused).`, {
          exitCode: ExitCode.failed,
          fix: [STATUS_HINT, 'Check the --endpoint URL and port.'],
        });
      case 'dns':
        return new UserError(`Cannot connect to ${endpoint} (host not found).`, {
          exitCode: ExitCode.failed,
          fix: ['Check the host name in --endpoint.', STATUS_HINT],
        });
      case 'connect-timeout':
        return new UserError(`Cannot connect to ${endpoint} (timed out).`, {
          exitCode: ExitCode.failed,
          fix: [STATUS_HINT, 'Check that the address is reachable from this host (firewall, LoadBalancer IP).'],
        });
      case 'headers-timeout':
      case 'body-timeout':
        return new UserError(`The model server at ${endpoint} stopped answering (${error.message.split(' (')[0]}).`, {
          exitCode: ExitCode.failed,
          fix: [STATUS_HINT, 'See its logs: kindling model logs MODEL'],
        });
      case 'closed':
      case 'reset':
        return new UserError(`The model server at ${endpoint} closed the connection before the answer finished.`, {
          exitCode: ExitCode.failed,
          fix: ['See its logs (a crash or OOM?): kindling model logs MODEL', STATUS_HINT],
        });
      default:
        return new UserError(`Cannot talk to ${endpoint}: ${error.detail}.`, { exitCode: ExitCode.failed, fix: STATUS_HINT });
    }
  }
  if (error instanceof StreamProtocolError) {
    return new UserError(`The model server at ${endpoint} sent a broken answer: ${error.message}.`, {
      exitCode: ExitCode.failed,
      fix: ['See its logs: kindling model logs MODEL'],
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}
