/**
 * Amazon's own client against the emulator (issue 13, item 19): `ec2-metadata` from Debian's
 * amazon-ec2-utils, every option, in each token mode, inside a network namespace this test makes,
 * where `emi metadata-server` listens on 169.254.169.254:80 as EC2's service does. Each output is
 * compared with what the emulator was configured to serve. Needs root (ip netns); removes its
 * namespace at the end, also when a test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { InstanceConfig, TokenMode } from '../../../tools/boot-check/metadata/instance.js';
import { runCommand } from '../../../tools/lib/exec.js';
import { describeAsRoot } from '../../helpers/root-tests.js';
import { emiBin } from '../../helpers/run-emi.js';

const address = '169.254.169.254';
const namespace = `emi-ec2md-${process.pid}-${randomBytes(3).toString('hex')}`;
const env = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
  HOME: '/root',
};

/** The instance every mode serves; the expected outputs are made from these values. */
const config = {
  instance_id: 'i-0a1b2c3d4e5f60718',
  ami_id: 'ami-0fedcba9876543210',
  ami_launch_index: 2,
  instance_type: 'm5.large',
  local_hostname: 'ip-10-0-3-7.eu-west-1.compute.internal',
  local_ipv4: '10.0.3.7',
  public_hostname: 'ec2-198-51-100-7.eu-west-1.compute.amazonaws.com',
  public_ipv4: '198.51.100.7',
  availability_zone: 'eu-west-1b',
  region: 'eu-west-1',
  block_device_mapping: { ami: '/dev/xvda', root: '/dev/xvda', ephemeral0: 'sdb', swap: 'sdc' },
  public_keys: [
    {
      name: 'laptop',
      key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBcmvjq6m9ZcwlvW4dE6H0O5KfHq0m7oG2Fz3mW2G0nH me@laptop',
    },
    {
      name: 'ci',
      key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq0m7oG2Fz3mW2G0nHBcmvjq6m9ZcwlvW4dE6H0O5Kf ci@runner',
    },
  ],
  user_data: '#!/bin/sh\necho hello from user-data\n',
  meta_data: {
    'ami-manifest-path': '(unknown)',
    'ancestor-ami-ids': 'ami-0123456789abcdef0',
    'kernel-id': 'aki-0a1b2c3d',
    'ramdisk-id': 'ari-0a1b2c3d',
    'product-codes': 'bq3bkcptnl5hba1ebg8tmd5zc',
    'reservation-id': 'r-0aaaabbbbccccdddd',
    'security-groups': 'web',
  },
  tags: { Name: 'web-1', 'aws:cloudformation:stack-name': 'shop' },
} satisfies InstanceConfig;

const meta = config.meta_data;
const line = (name: string, value: string) => `${name}: ${value}\n`;
const blockDeviceMapping = `block-device-mapping: \n${Object.keys(config.block_device_mapping)
  .sort()
  .map(
    (name) =>
      `\t ${name}: ${config.block_device_mapping[name as keyof typeof config.block_device_mapping]}\n`,
  )
  .join('')}`;
const publicKeys = `public-keys: \n${config.public_keys
  .map(
    (key, index) =>
      `keyname:${key.name}\nindex:${index}\nformat:openssh-key\nkey:(begins from next line)\n${key.key}\n`,
  )
  .join('')}`;
const tags = `tags: \n${Object.keys(config.tags)
  .sort()
  .map((key) => `\t ${key}: ${config.tags[key as keyof typeof config.tags]}\n`)
  .join('')}`;

/** Each option of ec2-metadata (short, long) and what it must print for the instance above. */
const options: [string, string, string][] = [
  ['-a', '--ami-id', line('ami-id', config.ami_id)],
  ['-l', '--ami-launch-index', line('ami-launch-index', String(config.ami_launch_index))],
  ['-m', '--ami-manifest-path', line('ami-manifest-path', meta['ami-manifest-path'])],
  ['-n', '--ancestor-ami-ids', line('ancestor-ami-ids', meta['ancestor-ami-ids'])],
  ['-b', '--block-device-mapping', blockDeviceMapping],
  ['-i', '--instance-id', line('instance-id', config.instance_id)],
  ['-t', '--instance-type', line('instance-type', config.instance_type)],
  ['-h', '--local-hostname', line('local-hostname', config.local_hostname)],
  ['-o', '--local-ipv4', line('local-ipv4', config.local_ipv4)],
  ['-k', '--kernel-id', line('kernel-id', meta['kernel-id'])],
  ['-z', '--availability-zone', line('placement', config.availability_zone)],
  ['-c', '--product-codes', line('product-codes', meta['product-codes'])],
  ['-p', '--public-hostname', line('public-hostname', config.public_hostname)],
  ['-v', '--public-ipv4', line('public-ipv4', config.public_ipv4)],
  ['-u', '--public-keys', publicKeys],
  // -r and -e ask for /latest//meta-data/…: EC2 answers them (item 18).
  ['-r', '--ramdisk-id', line('ramdisk-id', meta['ramdisk-id'])],
  ['-e', '--reservation-id', line('reservation-id', meta['reservation-id'])],
  ['-s', '--security-groups', line('security-groups', meta['security-groups'])],
  ['-d', '--user-data', line('user-data', config.user_data.trimEnd())],
  ['-g', '--tags', tags],
];
const byShort = (short: string) => options.find((option) => option[0] === short)?.[2] ?? '';
/** --all (and no option): the order of the script's print_all. */
const all = [
  '-a',
  '-l',
  '-m',
  '-n',
  '-b',
  '-i',
  '-t',
  '-h',
  '-o',
  '-k',
  '-z',
  '-c',
  '-p',
  '-v',
  '-u',
  '-r',
  '-e',
  '-s',
  '-d',
  '-g',
]
  .map(byShort)
  .join('');
const tokenError =
  '[ERROR] Could not get IMDSv2 token. Instance Metadata might have been disabled or this is not an EC2 instance.\n';

let dir: string;
let ready = false;
let server: ChildProcess | undefined;
let log = '';

async function ip(args: string[]) {
  return runCommand('ip', args, { env, extendEnv: false });
}

async function startServer(tokens: TokenMode): Promise<void> {
  const file = join(dir, `instance-${tokens}.yaml`);
  await writeFile(file, stringify({ ...config, tokens }));
  log = '';
  let err = '';
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      namespace,
      process.execPath,
      emiBin,
      'metadata-server',
      '--config',
      file,
      '--bind',
      address,
      '--port',
      '80',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server = child;
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const until = Date.now() + 20_000;
  while (!err.includes(`http://${address}:80`)) {
    if (child.exitCode !== null || Date.now() > until)
      throw new Error(`metadata-server did not start: ${err}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopServer(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function ec2Metadata(args: string[]) {
  return runCommand('ip', ['netns', 'exec', namespace, 'ec2-metadata', ...args], {
    env,
    extendEnv: false,
    reject: false,
    timeoutMs: 30_000,
  });
}

describeAsRoot('ec2-metadata (amazon-ec2-utils) against emi metadata-server on 169.254.169.254:80', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emi-ec2md-'));
    await ip(['netns', 'add', namespace]);
    ready = true;
    await ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
    await ip(['-n', namespace, 'address', 'add', `${address}/32`, 'dev', 'lo']);
  });

  afterAll(async () => {
    await stopServer();
    if (ready) await ip(['netns', 'delete', namespace]);
    await rm(dir, { recursive: true, force: true });
    const left = await ip(['netns', 'list']);
    expect(left.stdout).not.toContain(namespace);
  });

  for (const tokens of ['optional', 'required'] as const) {
    it(`tokens: ${tokens}: every option prints what the emulator was configured to serve`, async () => {
      await startServer(tokens);
      try {
        for (const [short, long, expected] of options) {
          for (const option of [short, long]) {
            const result = await ec2Metadata([option]);
            expect({ option, out: result.stdout, code: result.exitCode }).toEqual({
              option,
              out: expected,
              code: 0,
            });
          }
        }
        // Several options at once print in the order given.
        expect((await ec2Metadata(['-i', '-z', '-e'])).stdout).toBe(
          `${byShort('-i')}${byShort('-z')}${byShort('-e')}`,
        );
        for (const args of [['--all'], []]) {
          const result = await ec2Metadata(args);
          expect(result.exitCode).toBe(0);
          expect(result.stdout).toBe(all);
        }
        const help = await ec2Metadata(['--help']);
        expect(help.exitCode).toBe(0);
        expect(help.stdout).toContain('Usage: ec2-metadata <option>');
        const unknown = await ec2Metadata(['--no-such-option']);
        expect(unknown.exitCode).toBe(1);
      } finally {
        await stopServer();
      }
      // The client took a token and sent it with every request; nothing was refused.
      const lines = log.trim().split('\n');
      expect(
        lines
          .filter((entry) => / PUT \/latest\/api\/token$/.test(entry))
          .every((entry) => / 200 PUT /.test(entry)),
      ).toBe(true);
      const gets = lines.filter((entry) => / GET /.test(entry));
      expect(gets.length).toBeGreaterThan(100);
      expect(gets.filter((entry) => !entry.endsWith('token=valid'))).toEqual([]);
      expect(gets.some((entry) => entry.includes('GET /latest//meta-data/reservation-id'))).toBe(true);
      // 404s only for what is not configured (nothing is left out here).
      expect(gets.filter((entry) => / 404 GET /.test(entry))).toEqual([]);
    });
  }

  for (const tokens of ['disabled', 'eucalyptus'] as const) {
    it(`tokens: ${tokens}: every option fails with the client's own error, as it does on such a service`, async () => {
      // ec2-metadata is IMDSv2 only: without a token route (Eucalyptus: 404, disabled: 403) it stops.
      await startServer(tokens);
      try {
        for (const [short, long] of options) {
          for (const option of [short, long]) {
            const result = await ec2Metadata([option]);
            expect({ option, out: result.stdout, code: result.exitCode }).toEqual({
              option,
              out: tokenError,
              code: 1,
            });
          }
        }
        for (const args of [['--all'], [], ['--help']]) expect((await ec2Metadata(args)).exitCode).toBe(1);
      } finally {
        await stopServer();
      }
      const expectedStatus = tokens === 'disabled' ? '403' : '404';
      const lines = log.trim().split('\n');
      expect(lines.length).toBeGreaterThan(40);
      expect(lines.every((entry) => entry.includes(`${expectedStatus} PUT /latest/api/token`))).toBe(true);
    });
  }
});
