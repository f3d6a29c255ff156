import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enableVolumeMounts, readTomlValue, setTomlValue, volumeMountsEnabled } from '../../../src/host/toolkit-toml.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/host', name), 'utf8');

describe('toolkit config.toml editor', () => {
  it('adds the active setting right after nvidia-ctk\'s commented default and changes nothing else', () => {
    const before = fixture('toolkit-config.toml');
    expect(volumeMountsEnabled(before)).toBe(false);
    const after = enableVolumeMounts(before);
    expect(after).toBeDefined();
    const a = after!.split('\n');
    expect(a[0]).toBe('#accept-nvidia-visible-devices-as-volume-mounts = false');
    expect(a[1]).toBe('accept-nvidia-visible-devices-as-volume-mounts = true');
    // Removing the one added line gives back the original, byte for byte.
    expect([a[0], ...a.slice(2)].join('\n')).toBe(before);
    expect(volumeMountsEnabled(after)).toBe(true);
    expect(readTomlValue(after, { table: 'nvidia-container-cli', key: 'no-cgroups' })).toBe('true');
  });

  it('is idempotent: a configured file needs no edit', () => {
    const once = enableVolumeMounts(fixture('toolkit-config.toml'))!;
    expect(enableVolumeMounts(once)).toBeUndefined();
  });

  it('flips an active false in place, keeping its trailing comment', () => {
    const text = 'accept-nvidia-visible-devices-as-volume-mounts = false # set by ops\ndisable-require = false\n';
    expect(enableVolumeMounts(text)).toBe('accept-nvidia-visible-devices-as-volume-mounts = true # set by ops\ndisable-require = false\n');
  });

  it('does not take a key of the same name inside a table for the top-level one', () => {
    const text = 'disable-require = false\n\n[other]\naccept-nvidia-visible-devices-as-volume-mounts = true\n';
    expect(volumeMountsEnabled(text)).toBe(false);
    expect(enableVolumeMounts(text)).toBe(
      'disable-require = false\naccept-nvidia-visible-devices-as-volume-mounts = true\n\n[other]\naccept-nvidia-visible-devices-as-volume-mounts = true\n',
    );
  });

  it('edits the older package default (comments, multi-line array, indented table) keeping all of it', () => {
    const before = fixture('toolkit-config-legacy.toml');
    const after = enableVolumeMounts(before)!;
    const removed = after.replace('accept-nvidia-visible-devices-as-volume-mounts = true\n', '');
    expect(removed).toBe(before);
    expect(after).toContain('#accept-nvidia-visible-devices-as-volume-mounts = false\naccept-nvidia-visible-devices-as-volume-mounts = true\n\n[nvidia-container-cli]');
  });

  it('writes a minimal file when there is none, and keeps CRLF line endings', () => {
    expect(enableVolumeMounts(undefined)).toBe('accept-nvidia-visible-devices-as-volume-mounts = true\n');
    expect(enableVolumeMounts('disable-require = false\r\n')).toBe(
      'disable-require = false\r\naccept-nvidia-visible-devices-as-volume-mounts = true\r\n',
    );
  });

  it('sets keys in tables, creating a missing table at the end', () => {
    const before = fixture('toolkit-config.toml');
    const edited = setTomlValue(before, { table: 'nvidia-container-cli', key: 'no-cgroups' }, 'false')!;
    expect(edited.replace('no-cgroups = false', 'no-cgroups = true')).toBe(before);
    const added = setTomlValue('a = 1\n', { table: 'x.y', key: 'k' }, '"v # not a comment"')!;
    expect(added).toBe('a = 1\n\n[x.y]\nk = "v # not a comment"\n');
    expect(readTomlValue(added, { table: 'x.y', key: 'k' })).toBe('"v # not a comment"');
  });
});
