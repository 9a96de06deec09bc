/**
 * `emi register LINE --cloud NAME [--from DIR | --release]`: uploads a recorded release to a
 * cloud's Glance as kernel (aki), ramdisk (ari) and machine image (ami), and records the IDs in the
 * line's record. Every secret of the cloud is kept out of what it prints, errors included.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseRecord } from '../catalog/parse-record.js';
import { type ImageRecord, recordPath } from '../catalog/record-files.js';
import { redactError, redactSecrets } from '../cloud/cloud-errors.js';
import { describeCloud, loadCloudConfig } from '../cloud/clouds-config.js';
import { connectCloud } from '../cloud/connect-cloud.js';
import type { OsInfo } from '../cloud/image-properties.js';
import { type ImageParts, localParts, partRoles, releaseParts } from '../cloud/image-sources.js';
import { planRegistration, planWritesNothing, type RegistrationPlan } from '../cloud/plan-registration.js';
import { writeRegistration } from '../cloud/record-registration.js';
import {
  applyRegistration,
  listLineImages,
  type RegisterEvent,
  type Registration,
} from '../cloud/register-images.js';
import { ExitCode, UsageError, UserError } from '../lib/errors.js';
import { requireRepoRoot } from '../lib/git.js';
import { recipesDir, recordsDir } from '../lib/paths.js';
import type { CommandContext, CommandRun } from './types.js';

const visibilities = ['public', 'private', 'shared', 'community'];
const arches = ['x86_64', 'i386', 'aarch64'];

/** LINE and --arch, checked before anything is read (usage errors, exit 2). */
function parseLine(line: string, arch: string | undefined): { name: string; arch?: string } {
  const match = /^([a-z0-9][a-z0-9.-]*-emi)(?:\.(x86_64|i386|aarch64))?$/.exec(line);
  if (!match) throw new UsageError(`"${line}" is not an image line (<image_name> or <image_name>.<arch>)`);
  const name = match[1] as string;
  const lineArch = match[2];
  if (arch !== undefined && !arches.includes(arch))
    throw new UsageError(`--arch ${arch}: one of ${arches.join(', ')}`);
  if (lineArch && arch && lineArch !== arch) throw new UsageError(`${line} is not on --arch ${arch}`);
  const wanted = lineArch ?? arch;
  return wanted ? { name, arch: wanted } : { name };
}

async function findRecordFile(root: string, line: { name: string; arch?: string }): Promise<string> {
  if (line.arch) return `${recordsDir}/${line.name}.${line.arch}.yaml`;
  const pattern = new RegExp(`^${line.name.replace(/\./g, '\\.')}\\.(x86_64|i386|aarch64)\\.yaml$`);
  const files = (await readdir(join(root, recordsDir)).catch(() => [] as string[])).filter((file) =>
    pattern.test(file),
  );
  if (files.length === 1) return `${recordsDir}/${files[0]}`;
  if (files.length === 0) throw new UserError(`${recordsDir}/ has no record of ${line.name}`);
  throw new UsageError(`${line.name} has several arches (${files.join(', ')}): give --arch`);
}

async function readLineRecord(root: string, file: string): Promise<ImageRecord> {
  const text = await readFile(join(root, file)).catch(() => undefined);
  if (text === undefined) throw new UserError(`${file}: no such record`);
  const parsed = parseRecord(file, text);
  if (!parsed.ok)
    throw new UserError(
      `${file} is not a valid record (run emi validate ${file}): ${parsed.problems[0]?.message}`,
    );
  return parsed.value.record;
}

/** The recipe's distribution and release (data only: no recipe code runs here). */
async function readOsInfo(root: string, record: ImageRecord): Promise<OsInfo> {
  const text = await readFile(join(root, recipesDir, record.recipe_name, 'recipe.yaml'), 'utf8').catch(
    () => undefined,
  );
  if (text === undefined) return {};
  try {
    const recipe = parse(text) as { distribution?: unknown; release?: unknown } | null;
    const os: OsInfo = {};
    if (typeof recipe?.distribution === 'string') os.distribution = recipe.distribution;
    if (typeof recipe?.release === 'string' || typeof recipe?.release === 'number')
      os.release = String(recipe.release);
    return os;
  } catch {
    return {};
  }
}

function repositoryFrom(values: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const slug = (values.repo as string | undefined) ?? env.GITHUB_REPOSITORY;
  if (!slug)
    throw new UsageError(
      'the release source needs --repo OWNER/NAME (or GITHUB_REPOSITORY), or use --from DIR',
    );
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(slug);
  if (!match) throw new UsageError(`--repo ${slug}: expected OWNER/NAME`);
  const serverUrl = (values['server-url'] as string | undefined) ?? env.GITHUB_SERVER_URL;
  if (serverUrl && !/^https?:\/\/[^\s/]+/.test(serverUrl))
    throw new UsageError(`--server-url ${serverUrl}: not a URL`);
  return { owner: match[1] as string, name: match[2] as string, ...(serverUrl ? { serverUrl } : {}) };
}

function describePlan(plan: RegistrationPlan): string[] {
  const lines: string[] = [];
  for (const leftover of plan.deletes)
    lines.push(`delete ${leftover.role} ${leftover.id} (left ${leftover.status} by an interrupted run)`);
  for (const role of partRoles) {
    const part = plan.parts[role];
    if (part.action === 'upload') lines.push(`upload ${role}`);
    else
      lines.push(
        `reuse ${role} ${part.image.id}${part.patch.length ? ` (update ${part.patch.map((op) => op.path.slice(1)).join(', ')})` : ''}`,
      );
  }
  for (const other of plan.hide)
    lines.push(`hide ${other.id} (${other.name ?? '?'}, version ${other.version})`);
  for (const note of plan.notes) lines.push(`note: ${note}`);
  return lines;
}

function renderEvent(event: RegisterEvent): string | undefined {
  switch (event.type) {
    case 'delete':
      return `deleted the ${event.role} image ${event.id} (${event.status}, left by an interrupted run)`;
    case 'reuse':
      return `reused the ${event.role} image ${event.id}${event.patched ? ' (updated)' : ''}`;
    case 'upload': {
      const mb = event.bytes / 1e6;
      const rate = event.ms > 0 ? ` at ${(mb / (event.ms / 1000)).toFixed(1)} MB/s` : '';
      return `uploaded the ${event.role} image ${event.id}: ${mb.toFixed(1)} MB from ${event.origin}${rate}, sha512 verified`;
    }
    case 'progress':
      return `  ${event.role}: ${(event.bytes / 1e6).toFixed(0)}${event.total ? `/${(event.total / 1e6).toFixed(0)}` : ''} MB`;
    case 'hide':
      return `hid ${event.id} (version ${event.version})`;
  }
}

async function register(
  values: Record<string, unknown>,
  positionals: string[],
  context: CommandContext,
  secrets: string[],
): Promise<ExitCode> {
  const json = Boolean(values.json);
  const say = (text: string) => context.out(redactSecrets(text, secrets));
  const wanted = parseLine(positionals[0] as string, values.arch as string | undefined);
  const root = await requireRepoRoot(context.cwd);
  const file = await findRecordFile(root, wanted);
  const record = await readLineRecord(root, file);
  const version = values.version as string | undefined;
  if (version && version !== record.image_version)
    throw new UserError(
      `${file} records version ${record.image_version}, not ${version}: only a line's current release can be registered`,
    );
  const visibility = values.visibility as string | undefined;
  if (visibility && !visibilities.includes(visibility))
    throw new UsageError(`--visibility ${visibility}: one of ${visibilities.join(', ')}`);
  if (values.from !== undefined && values.release)
    throw new UsageError('--from DIR and --release are two sources: give one');
  const parts: ImageParts =
    values.from === undefined
      ? releaseParts(record, repositoryFrom(values, context.env))
      : await localParts(record, resolve(context.cwd, values.from as string));

  const config = await loadCloudConfig({
    ...(values.cloud === undefined ? {} : { cloud: values.cloud as string }),
    env: context.env,
    cwd: context.cwd,
  });
  secrets.push(
    ...[config.auth.password, config.auth.token, config.auth.application_credential_secret].filter(
      (value): value is string => Boolean(value),
    ),
  );
  const connection = await connectCloud(config);
  secrets.push(...connection.secrets);
  const images = await listLineImages(connection.glance, record);
  const plan = planRegistration(record, config.name, images);
  const line = `${record.image_name}.${record.image_arch} ${record.image_version}`;
  if (values['dry-run']) {
    if (json)
      say(
        `${JSON.stringify({ type: 'plan', record: file, cloud: describeCloud(config), plan: describePlan(plan), writes: !planWritesNothing(plan) })}\n`,
      );
    else {
      say(`${line} in ${config.name} (${config.file}), nothing written:\n`);
      for (const step of describePlan(plan)) say(`  ${step}\n`);
    }
    return ExitCode.ok;
  }
  if (!json) say(`registering ${line} in ${config.name}\n`);
  const registration = await applyRegistration(connection.glance, plan, {
    record,
    parts,
    os: await readOsInfo(root, record),
    ...(visibility ? { visibility } : {}),
    signal: context.signal,
    onEvent: (event) => {
      if (json) say(`${JSON.stringify(event)}\n`);
      else {
        const text = renderEvent(event);
        if (text && (event.type !== 'progress' || context.interactive)) say(`${text}\n`);
      }
    },
  });
  const recorded = values['no-record'] ? undefined : await writeRegistration(root, record, registration);
  if (json)
    say(
      `${JSON.stringify({ type: 'result', record: recordPath(record), registration, wrote_to_cloud: !planWritesNothing(plan), record_written: recorded?.written ?? false })}\n`,
    );
  else {
    say(
      `registered ${line} in ${config.name}: image ${registration.image_id} (kernel ${registration.kernel_id}, ramdisk ${registration.ramdisk_id})\n`,
    );
    if (recorded)
      say(recorded.written ? `recorded in ${recorded.path}\n` : `${recorded.path} already records it\n`);
  }
  return ExitCode.ok;
}

/** A registration row of an earlier `emi register --json` run's result line. */
function parseResultLine(file: string, line: string, number: number) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new UserError(`${file}:${number}: not a JSON line`);
  }
  const result = parsed as { type?: unknown; record?: unknown; registration?: Record<string, unknown> };
  if (result.type !== 'result') return undefined;
  const registration = result.registration ?? {};
  const fields = ['cloud', 'image_id', 'kernel_id', 'ramdisk_id', 'registered_at'] as const;
  if (typeof result.record !== 'string' || !fields.every((field) => typeof registration[field] === 'string'))
    throw new UserError(`${file}:${number}: a result line without its record and registration`);
  return { record: result.record, registration: registration as unknown as Registration };
}

/**
 * --record-from FILE: records registrations that `emi register --json` runs printed (e.g. one job
 * per cloud, each without write access to the repository), with no cloud contacted.
 */
async function recordFrom(file: string, context: CommandContext): Promise<ExitCode> {
  const root = await requireRepoRoot(context.cwd);
  const text = await readFile(resolve(context.cwd, file), 'utf8').catch(() => {
    throw new UserError(`--record-from ${file}: cannot be read`);
  });
  const rows = text
    .split('\n')
    .map((line, index) => (line.trim() ? parseResultLine(file, line, index + 1) : undefined))
    .filter((row) => row !== undefined);
  if (rows.length === 0) throw new UserError(`${file} holds no result line of emi register --json`);
  for (const row of rows) {
    const match = /^EMI-IDs\/([a-z0-9][a-z0-9.-]*-emi)\.(x86_64|i386|aarch64)\.yaml$/.exec(row.record);
    if (!match) throw new UserError(`${file}: "${row.record}" is not a record path`);
    const record = await readLineRecord(root, row.record);
    const recorded = await writeRegistration(root, record, row.registration);
    context.out(
      `${recorded.written ? 'recorded' : 'already recorded'}: ${row.record} in ${row.registration.cloud} (image ${row.registration.image_id})\n`,
    );
  }
  return ExitCode.ok;
}

export const run: CommandRun = async (values, positionals, context) => {
  if (values['record-from'] !== undefined) {
    if (positionals.length > 0 || values.cloud !== undefined)
      throw new UsageError('--record-from FILE takes no LINE or --cloud: the file names both');
    return recordFrom(values['record-from'] as string, context);
  }
  if (positionals.length === 0)
    throw new UsageError('which image line? give LINE (e.g. euca-debian-emi.x86_64)');
  // Filled as soon as they are known (from clouds.yaml, the environment, Keystone), so that any
  // error thrown later is printed without them.
  const secrets: string[] = [];
  try {
    return await register(values, positionals, context, secrets);
  } catch (error) {
    throw redactError(error, secrets);
  }
};
