/**
 * The list of command registrations, in the order `kindling --help` shows them.
 * Each issue adds its command here; there are no placeholder commands.
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';
import { registerDoctor } from './doctor.js';
import { registerHost } from './host.js';
import { registerSchema } from './schema.js';
import { registerUp } from './up.js';
import { registerDown } from './down.js';
import { registerStatus } from './status.js';
import { registerAddons } from './addons.js';
import { registerModel } from './model.js';
import { registerChat } from './chat.js';
import { registerBench } from './bench.js';
import { registerCompletion } from './completion.js';
import { registerCluster } from './cluster.js';

export type CommandRegistration = (program: Command, cli: CliEnv) => void;

export const commandRegistrations: CommandRegistration[] = [
  registerUp,
  registerDown,
  registerStatus,
  registerDoctor,
  registerHost,
  registerCluster,
  registerSchema,
  registerAddons,
  registerModel,
  registerChat,
  registerBench,
  registerCompletion,
];
