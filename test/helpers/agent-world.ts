/**
 * A world for the boot agent: a temp folder as EMI_ROOT, the metadata emulator on loopback, and
 * side-effect commands (mount, swapon, hostname, restorecon, reboot …) replaced by recorders on
 * PATH, so the real agent runs for real and its side effects are asserted. ssh-keygen, blkid,
 * curl, gzip and timeout are the real ones.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type InstanceConfig, normalizeInstance } from '../../tools/boot-check/metadata/instance.js';
import { type MetadataServer, startMetadataServer } from '../../tools/boot-check/metadata/server.js';
import { runCommand } from '../../tools/lib/exec.js';

export const overlay = fileURLToPath(new URL('../../recipes/common/overlay/', import.meta.url));
export const agentPath = join(overlay, 'usr/sbin/emi-agent');
export const originalRcLocal = fileURLToPath(new URL('../fixtures/agent/original-rc.local', import.meta.url));

/** Side-effect commands the agent (or the original rc.local) may run: recorded, never run. */
export const recordedCommands = [
  'mount',
  'swapon',
  'hostname',
  'restorecon',
  'reboot',
  'service',
  'depmod',
  'modprobe',
  'systemd-notify',
] as const;
export type RecordedCommand = (typeof recordedCommands)[number];

/** Timeouts short enough for tests; each test can override them. */
export const fastConfig: Record<string, string | number> = {
  CONNECT_TIMEOUT: 1,
  REQUEST_TIMEOUT: 2,
  RETRIES: 3,
  RETRY_BASE_MS: 100,
  RETRY_MAX_MS: 400,
  DEADLINE: 20,
  RSA_BITS: 1024,
  USERDATA_TIMEOUT: 10,
};

export type DiskKind = 'ext4' | 'swap' | 'empty';

export interface WorldOptions {
  instance: InstanceConfig;
  /** Settings written to etc/emi-agent.conf over fastConfig (undefined removes one). */
  config?: Record<string, string | number | undefined>;
  /** Disk images under dev/: a filesystem, a swap signature, or nothing. */
  disks?: Record<string, DiskKind>;
  /** Lines of proc/mounts and proc/swaps (what is mounted already). */
  mounts?: string[];
  swaps?: string[];
  /** Recorded commands that fail (exit 32), like a mount that does not work. */
  failing?: RecordedCommand[];
  /** Files to create under the root before the first boot (path → content). */
  files?: Record<string, string>;
}

export interface AgentRun {
  exitCode: number;
  console: string;
  ms: number;
}

export interface StatusStep {
  name: string;
  result: string;
  time: string;
  seconds: number;
  detail: string;
}

export interface AgentStatus {
  agent: string;
  instance_id: string | null;
  metadata: string;
  finished: string | null;
  steps: StatusStep[];
}

export interface AgentWorld {
  dir: string;
  root: string;
  server: MetadataServer;
  /** Runs the agent (or another script such as the original rc.local) as at boot. */
  run(options?: {
    script?: string;
    shell?: string[];
    env?: Record<string, string>;
    args?: string[];
    timeoutMs?: number;
  }): Promise<AgentRun>;
  /** A reboot: /run and the mount tables are emptied and the boot id changes. */
  reboot(): Promise<void>;
  /** Serves another instance (a new instance-id) from now on. */
  launch(instance: InstanceConfig): void;
  commands(): Promise<string[][]>;
  commandsOf(name: RecordedCommand): Promise<string[][]>;
  status(): Promise<AgentStatus>;
  step(name: string): Promise<StatusStep>;
  /** Waits until the user-data step is no longer `running`. */
  userDataDone(timeoutMs?: number): Promise<StatusStep>;
  path(relative: string): string;
  read(relative: string): Promise<string>;
  exists(relative: string): Promise<boolean>;
  mode(relative: string): Promise<number>;
  write(relative: string, content: string | Buffer, mode?: number): Promise<void>;
  cleanup(): Promise<void>;
}

function configText(config: Record<string, string | number | undefined>): string {
  return `${Object.entries(config)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

function recorderScript(log: string, name: string, fails: boolean): string {
  // hostname behaves like the real one on its arguments: one name of at most 64 bytes.
  const check =
    name === 'hostname'
      ? 'if [ "$#" -ne 1 ] || [ "$(printf %s "$1" | wc -c)" -gt 64 ]; then echo "hostname: usage or name too long" >&2; exit 1; fi\n'
      : '';
  return `#!/bin/sh
{ printf '%s' ${JSON.stringify(name)}; for a; do printf '\\t%s' "$a"; done; printf '\\n'; } >>${JSON.stringify(log)}
${check}${fails ? 'exit 32' : 'exit 0'}
`;
}

async function makeDisk(path: string, kind: DiskKind): Promise<void> {
  await writeFile(path, Buffer.alloc(0));
  await runCommand('truncate', ['-s', '4M', path]);
  const env = { PATH: `/usr/sbin:/sbin:${process.env.PATH ?? '/usr/bin:/bin'}` };
  if (kind === 'ext4') await runCommand('mke2fs', ['-q', '-F', '-t', 'ext4', path], { env });
  if (kind === 'swap') await runCommand('mkswap', [path], { env });
}

export async function createAgentWorld(options: WorldOptions): Promise<AgentWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'emi-agent-'));
  const root = join(dir, 'root');
  const bin = join(dir, 'bin');
  const log = join(dir, 'commands.log');
  let boot = 0;
  const at = (relative: string) => join(root, relative);
  const write = async (relative: string, content: string | Buffer, mode?: number) => {
    await mkdir(dirname(at(relative)), { recursive: true });
    await writeFile(at(relative), content);
    if (mode !== undefined) await chmod(at(relative), mode);
  };
  const failing = new Set(options.failing ?? []);

  await mkdir(bin, { recursive: true });
  for (const name of recordedCommands) {
    await writeFile(join(bin, name), recorderScript(log, name, failing.has(name)), { mode: 0o755 });
  }
  const config = { ...fastConfig, ...options.config };
  await write('etc/emi-agent.conf', configText(config));
  await mkdir(at('dev'), { recursive: true });
  await mkdir(at('tmp'), { recursive: true });
  for (const [name, kind] of Object.entries(options.disks ?? {})) await makeDisk(at(`dev/${name}`), kind);
  const setMountTables = async () => {
    await write(
      'proc/mounts',
      (options.mounts ?? ['/dev/vda1 / ext4 rw,relatime 0 0']).join('\n').concat('\n'),
    );
    await write(
      'proc/swaps',
      ['Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority', ...(options.swaps ?? [])].join('\n').concat('\n'),
    );
    boot++;
    await write(
      'proc/sys/kernel/random/boot_id',
      `00000000-0000-4000-8000-${String(boot).padStart(12, '0')}\n`,
    );
  };
  await setMountTables();
  for (const [path, content] of Object.entries(options.files ?? {})) await write(path, content);

  const server = await startMetadataServer({ instance: normalizeInstance(options.instance) });

  const status = async (): Promise<AgentStatus> =>
    JSON.parse(await readFile(at('var/lib/emi-agent/status.json'), 'utf8')) as AgentStatus;
  const step = async (name: string): Promise<StatusStep> => {
    const found = (await status()).steps.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`status.json has no step ${name}`);
    return found;
  };
  const commands = async (): Promise<string[][]> => {
    const text = await readFile(log, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'));
  };

  return {
    dir,
    root,
    server,
    async run(runOptions = {}) {
      const consoleFile = join(dir, `console-${Date.now()}-${Math.random().toString(16).slice(2)}.txt`);
      const script = runOptions.script ?? agentPath;
      const shell = runOptions.shell ?? ['sh'];
      const started = Date.now();
      // The console goes to a file: a user-data script left running must not hold our pipes. The
      // umask is boot's.
      const result = await runCommand(
        'sh',
        [
          '-c',
          'umask 022; out=$1; shift; exec "$@" >"$out" 2>&1 </dev/null',
          'sh',
          consoleFile,
          ...shell,
          script,
          ...(runOptions.args ?? []),
        ],
        {
          reject: false,
          extendEnv: false,
          env: {
            PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
            HOME: dir,
            LANG: 'C',
            EMI_ROOT: root,
            EMI_METADATA_URL: server.url,
            ...runOptions.env,
          },
          timeoutMs: runOptions.timeoutMs ?? 60_000,
          killSignal: 'SIGKILL',
        },
      );
      const ms = Date.now() - started;
      const consoleText = await readFile(consoleFile, 'utf8').catch(() => '');
      return { exitCode: result.exitCode, console: consoleText, ms };
    },
    async reboot() {
      await rm(at('run'), { recursive: true, force: true });
      await setMountTables();
    },
    launch(instance) {
      server.setInstance(normalizeInstance(instance));
    },
    commands,
    async commandsOf(name) {
      return (await commands()).filter((command) => command[0] === name);
    },
    status,
    step,
    async userDataDone(timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = await step('user-data').catch(() => undefined);
        if (found && found.result !== 'running') return found;
        if (Date.now() > until) throw new Error(`user-data still running after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    path: at,
    read: (relative) => readFile(at(relative), 'utf8'),
    async exists(relative) {
      return stat(at(relative)).then(
        () => true,
        () => false,
      );
    },
    async mode(relative) {
      return (await stat(at(relative))).mode & 0o777;
    },
    write,
    async cleanup() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
