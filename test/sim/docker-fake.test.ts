/** The simulated host's fake docker, called through its PATH shim like kindling calls it. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimHost, type SimHost } from './harness.js';
import { presets } from './scenario.js';

let sim: SimHost | undefined;
afterEach(() => sim?.dispose());

function docker(h: SimHost, args: string[]) {
  const r = spawnSync(join(h.binDir, 'docker'), args, { env: h.env(), encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('fake docker', () => {
  it('run -d records a labelled container (pulling the image first), ps/inspect see it, rm -f removes it', () => {
    sim = createSimHost(presets.healthy1());
    const run = docker(sim, ['run', '-d', '--name', 'cpk', '--label', 'io.kindling/role=lb', '--restart', 'unless-stopped', '--network', 'host', '-v', '/var/run/docker.sock:/var/run/docker.sock', '-e', 'A=1', 'registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1', '--gateway-channel', 'disabled']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(run.stderr).toContain("Unable to find image 'registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1' locally");
    const state = sim.state();
    expect(state.docker.images).toContain('registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1');
    expect(state.docker.containers[0]).toMatchObject({ name: 'cpk', running: true, restartPolicy: 'unless-stopped', networkMode: 'host', cmd: ['--gateway-channel', 'disabled'] });

    expect(docker(sim, ['ps', '--filter', 'label=io.kindling/role=lb', '--format', '{{.Names}} {{.State}}']).stdout).toBe('cpk running\n');
    expect(docker(sim, ['ps', '-q', '--filter', 'label=other']).stdout).toBe('');
    expect(docker(sim, ['inspect', '--format', '{{.State.Running}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.NetworkMode}}', 'cpk']).stdout).toBe('true unless-stopped host\n');
    expect(JSON.parse(docker(sim, ['container', 'inspect', 'cpk']).stdout)[0].Config.Labels).toEqual({ 'io.kindling/role': 'lb' });

    // A second run with the same name conflicts (exit 125); the image is not pulled again.
    const again = docker(sim, ['run', '-d', '--name', 'cpk', 'registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1']);
    expect(again.status).toBe(125);
    expect((sim.state().docker as { pulls?: string[] }).pulls).toHaveLength(1);

    expect(docker(sim, ['stop', 'cpk']).stdout).toBe('cpk\n');
    expect(docker(sim, ['ps', '--format', '{{.Names}}']).stdout).toBe('');
    expect(docker(sim, ['ps', '-a', '--format', '{{.Names}}']).stdout).toBe('cpk\n');
    expect(docker(sim, ['rm', '-f', 'cpk']).status).toBe(0);
    expect(docker(sim, ['rm', '-f', 'cpk']).stderr).toBe('Error response from daemon: No such container: cpk\n');
    expect(docker(sim, ['inspect', 'cpk']).status).toBe(1);

    const journal = sim.journal();
    const mutating = journal.filter((e) => e.mutating).map((e) => e.args[0]);
    expect(mutating).toEqual(['run', 'run', 'stop', 'rm', 'rm']);
    expect(journal.filter((e) => ['ps', 'inspect', 'container'].includes(e.args[0]!)).every((e) => !e.mutating)).toBe(true);
  });

  it('pull, image inspect, networks, logs and version', () => {
    sim = createSimHost(presets.healthy1());
    expect(docker(sim, ['image', 'inspect', 'ubuntu:24.04']).status).toBe(1);
    const pull = docker(sim, ['pull', 'ubuntu:24.04']);
    expect(pull.stdout).toContain('Status: Downloaded newer image for ubuntu:24.04');
    expect(pull.stdout.trim().split('\n').at(-1)).toBe('docker.io/library/ubuntu:24.04');
    expect(JSON.parse(docker(sim, ['image', 'inspect', 'ubuntu:24.04']).stdout)[0].RepoTags).toEqual(['ubuntu:24.04']);
    expect(sim.journal().find((e) => e.args[0] === 'pull')?.mutating).toBe(true);

    expect(docker(sim, ['network', 'ls', '--format', '{{.Name}}']).stdout).toBe('bridge\nhost\nnone\n');
    expect(docker(sim, ['network', 'create', 'kind']).status).toBe(0);
    docker(sim, ['run', '-d', '--name', 'node1', '--network', 'kind', 'ubuntu:24.04', 'sleep', '1000']);
    expect(docker(sim, ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'node1']).stdout).toBe('172.18.0.2\n');
    expect(JSON.parse(docker(sim, ['network', 'inspect', 'kind']).stdout)[0].IPAM.Config[0].Subnet).toBe('172.18.0.0/16');

    docker(sim, ['run', '--name', 'once', 'ubuntu:24.04', 'echo', 'hello']);
    expect(docker(sim, ['logs', 'once']).stdout).toBe('hello\n');
    expect(docker(sim, ['version', '--format', '{{.Server.Version}}']).stdout).toBe('28.2.2\n');
  });

  it('daemon down: the real error text and exit codes', () => {
    sim = createSimHost(presets.dockerDown());
    const info = docker(sim, ['info', '--format', '{{json .}}']);
    expect(info.status).toBe(1);
    expect(info.stderr).toBe('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n');
    expect(JSON.parse(info.stdout).ClientInfo.Version).toBe('28.2.2');
    expect(JSON.parse(info.stdout).ServerVersion).toBe('');
    expect(docker(sim, ['ps']).status).toBe(1);
    expect(docker(sim, ['run', '--rm', 'x']).status).toBe(125);
  });
});
