/**
 * Host file access for kindling's planned file effects (/etc/docker/daemon.json, sysctl files …).
 * Reads go through KINDLING_HOST_ROOT (the simulated host); writes are planned actions: recorded in
 * --dry-run, done directly when kindling may write the file, and through `sudo tee` otherwise.
 */
import { mkdir, readFile, rm, writeFile, access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostPath, type KindlingPaths } from './paths.js';
import type { Plan } from './plan.js';
import type { ProcessRunner } from './runner.js';

export interface WriteOptions {
  /** The file is root's (under /etc, /usr/local …): through sudo when kindling is not root. */
  root: boolean;
  mode?: number;
  description?: string;
}

export class HostFiles {
  constructor(
    private readonly paths: KindlingPaths,
    private readonly plan: Plan,
    private readonly runner: ProcessRunner,
    private readonly isRoot: boolean,
  ) {}

  /** The real path of a host path (honours KINDLING_HOST_ROOT). */
  real(path: string): string {
    return hostPath(this.paths, path);
  }

  /** File content, or undefined when it does not exist. */
  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(this.real(path), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await access(this.real(path), constants.F_OK);
      return true;
    } catch {
      return false;
    }
  }

  async write(path: string, content: string, options: WriteOptions): Promise<void> {
    const description = options.description;
    if (this.directlyWritable(options)) {
      this.plan.record({
        kind: 'file',
        path,
        content,
        root: options.root,
        ...(options.mode === undefined ? {} : { mode: options.mode }),
        ...(description ? { description } : {}),
      });
      if (this.plan.dryRun) return;
      const real = this.real(path);
      await mkdir(dirname(real), { recursive: true });
      await writeFile(real, content, options.mode === undefined ? {} : { mode: options.mode });
      return;
    }
    // Not root: let sudo write it; the runner records this as one command with the content on stdin.
    await this.runner.run({ argv: ['mkdir', '-p', dirname(path)], mutating: true, root: true });
    await this.runner.run({ argv: ['tee', path], stdin: content, mutating: true, root: true, ...(description ? { description } : {}) });
    if (options.mode !== undefined) {
      await this.runner.run({ argv: ['chmod', options.mode.toString(8), path], mutating: true, root: true });
    }
  }

  async remove(path: string, options: { root: boolean; description?: string }): Promise<void> {
    if (this.directlyWritable(options)) {
      this.plan.record({ kind: 'delete-file', path, root: options.root, ...(options.description ? { description: options.description } : {}) });
      if (!this.plan.dryRun) await rm(this.real(path), { force: true });
      return;
    }
    await this.runner.run({ argv: ['rm', '-f', path], mutating: true, root: true });
  }

  private directlyWritable(options: { root: boolean }): boolean {
    return !options.root || this.isRoot || this.paths.hostRoot !== '';
  }
}

export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'ENOENT';
}
