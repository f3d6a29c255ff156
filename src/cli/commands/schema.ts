/** `kindling schema`: the JSON Schema of kindling.yaml, generated from its zod schema. */
import type { Command } from '@commander-js/extra-typings';
import type { CliEnv } from '../cli-env.js';

export function registerSchema(program: Command, cli: CliEnv): void {
  program
    .command('schema')
    .description('print the JSON Schema of kindling.yaml (for editors and validators)')
    .addHelpText(
      'after',
      `
Examples:
  $ kindling schema > kindling.schema.json
  # then, first line of kindling.yaml (yaml-language-server):
  # yaml-language-server: $schema=./kindling.schema.json`,
    )
    .action(async () => {
      const { kindlingJsonSchema } = await import('../../workflows/config.js');
      cli.stdout.write(`${JSON.stringify(kindlingJsonSchema(), null, 2)}\n`);
    });
}
