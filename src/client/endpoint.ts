/**
 * Where `kindling chat` and `kindling bench` send requests: `--endpoint URL`, or a deployed model's
 * endpoint found in the cluster (the serving module plugs that in as a `ClusterEndpointDiscovery`),
 * and which model id to ask for.
 */
import type { Context } from '../core/context.js';
import { BugError, ExitCode, ExternalError, InterruptedError, UserError } from '../core/errors.js';
import { toUserError } from './describe.js';
import { createPool, listModels, parseEndpoint, type ClientConfig, type Endpoint, type PoolOptions } from './openai-http.js';

export interface ResolvedEndpoint {
  /** Base URL of the OpenAI-compatible server (`http://host:port`, without `/v1`). */
  url: string;
  /** The model id the server serves for this deployment, when discovery knows it. */
  servedModel?: string;
  /** How it was found, for messages ("from the LoadBalancer of deployment qwen", "--endpoint"). */
  source: string;
}

/** Finds a deployed model's endpoint in the cluster; provided by src/serving. */
export type ClusterEndpointDiscovery = (model: string | undefined, ctx: Context) => Promise<ResolvedEndpoint>;

export interface ResolveOptions {
  endpoint?: string;
  discover?: ClusterEndpointDiscovery;
}

/**
 * The endpoint for MODEL: `--endpoint` when given, else the cluster's (through `discover`).
 * Without either, a UserError that says what to do.
 */
export async function resolveEndpoint(model: string | undefined, ctx: Context, options: ResolveOptions): Promise<ResolvedEndpoint> {
  if (options.endpoint !== undefined) {
    try {
      const e = parseEndpoint(options.endpoint);
      return { url: e.display, source: '--endpoint' };
    } catch (error) {
      throw new UserError(`Invalid --endpoint: ${(error as Error).message}.`, {
        fix: 'Pass the server URL, e.g. --endpoint http://127.0.0.1:8000 (with or without /v1).',
      });
    }
  }
  if (options.discover) {
    try {
      return await options.discover(model, ctx);
    } catch (error) {
      throw withEndpointHint(error, model);
    }
  }
  throw new UserError(
    model === undefined
      ? 'No endpoint to talk to: pass --endpoint URL, or name a model deployed with kindling.'
      : `Cannot find the endpoint of model '${model}' without a cluster connection.`,
    {
      fix: [
        'Pass the OpenAI-compatible server URL: --endpoint http://HOST:PORT',
        'or deploy the model first: kindling model deploy MODEL',
      ],
    },
  );
}

const ENDPOINT_HINT = 'or talk to any OpenAI-compatible server: --endpoint http://HOST:PORT';

/** A discovery failure, with the way around it (--endpoint) added to its fix. */
function withEndpointHint(error: unknown, model: string | undefined): unknown {
  if (error instanceof InterruptedError || error instanceof ExternalError || error instanceof BugError) return error;
  if (error instanceof UserError) {
    if (error.fix.some((f) => f.includes('--endpoint'))) return error;
    return new UserError(error.message, { fix: [...error.fix, ENDPOINT_HINT], details: error.details, exitCode: error.exitCode, cause: error.cause });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(`Cannot find ${model === undefined ? 'the deployed model' : `model '${model}'`} in the cluster: ${message}`, {
    exitCode: ExitCode.failed,
    fix: ['Check the cluster: kindling status', ENDPOINT_HINT],
    cause: error,
  });
}

/**
 * The API key: the variable named by --api-key-env (which must be set), else OPENAI_API_KEY when
 * set. The value is registered with the redactor and never printed.
 */
export function resolveApiKey(ctx: Context, apiKeyEnv: string | undefined): string | undefined {
  if (apiKeyEnv !== undefined) {
    const value = ctx.env[apiKeyEnv];
    if (value === undefined || value === '') {
      throw new UserError(`--api-key-env ${apiKeyEnv}: that environment variable is not set.`, {
        fix: `export ${apiKeyEnv}=<your API key>   (or leave out --api-key-env when the server needs no key)`,
      });
    }
    ctx.redactor.add(value);
    return value;
  }
  const value = ctx.env.OPENAI_API_KEY;
  if (value !== undefined && value !== '') {
    ctx.redactor.add(value);
    return value;
  }
  return undefined;
}

export interface Connection {
  client: ClientConfig;
  endpoint: Endpoint;
  /** The model id to send. */
  model: string;
  /** What the server serves. */
  served: string[];
  close(): Promise<void>;
}

/**
 * Opens a pool to the endpoint and picks the model: the one asked for (which the server must
 * serve), the discovered deployment's, or the first of `/v1/models`.
 */
export async function connect(
  ctx: Context,
  resolved: ResolvedEndpoint,
  requestedModel: string | undefined,
  apiKey: string | undefined,
  pool: PoolOptions = {},
): Promise<Connection> {
  const endpoint = parseEndpoint(resolved.url);
  const dispatcher = createPool(endpoint, pool);
  const client: ClientConfig = { endpoint, dispatcher, ...(apiKey ? { apiKey } : {}) };
  const close = () => dispatcher.destroy().catch(() => undefined);
  try {
    const served = await listModels(client, ctx.signal);
    const wanted = resolved.servedModel ?? requestedModel;
    if (served.length === 0) {
      throw new UserError(`The server at ${endpoint.display} serves no model (GET /v1/models is empty).`, {
        exitCode: ExitCode.failed,
        fix: 'Check the deployment: kindling status',
      });
    }
    if (wanted !== undefined && !served.includes(wanted)) {
      throw new UserError(`Unknown model '${wanted}': the server at ${endpoint.display} serves ${served.map((m) => `'${m}'`).join(', ')}.`, {
        fix: [`Pass one of those, e.g.: kindling chat ${shellQuote(served[0]!)} --endpoint ${endpoint.display}`, 'or leave MODEL out to use the first one.'],
      });
    }
    return { client, endpoint, model: wanted ?? served[0]!, served, close };
  } catch (error) {
    await close();
    throw toUserError(error, endpoint.display, ctx.signal);
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
