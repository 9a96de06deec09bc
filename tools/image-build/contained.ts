/**
 * Runs the build's programs contained, so that a build stopped at any moment (Ctrl-C, SIGTERM, even
 * SIGKILL of emi) leaves no process and no mount behind:
 *   setpriv --pdeathsig KILL   the wrapper dies with emi, whatever kills emi;
 *   unshare --pid --fork --kill-child   its child is PID 1 of a new PID namespace and is killed
 *       with the wrapper, which takes every process of the namespace with it;
 *   unshare --mount --propagation private   every mount (proc, sys, dev, binfmt_misc, the package
 *       cache) is made in a private mount namespace that disappears with its last process.
 * Programs get a fixed environment, never emi's own (which may hold tokens).
 */
import { ProcessError, UserError } from '../lib/errors.js';
import { describeCommand, type RunResult, runCommand } from '../lib/exec.js';
import { assertRealDirectory } from './root-paths.js';

export const buildPath = '/usr/sbin:/usr/bin:/sbin:/bin';

const proxyVariables = ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'];

/** The environment of every build program: fixed, plus the host's proxy settings so downloads work. */
export function buildEnv(
  hostEnv: Record<string, string | undefined>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: buildPath,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    HOME: '/root',
    DEBIAN_FRONTEND: 'noninteractive',
    DEBCONF_NONINTERACTIVE_SEEN: 'true',
  };
  for (const name of proxyVariables) {
    const value = hostEnv[name];
    if (value) env[name] = value;
  }
  return { ...env, ...extra };
}

export interface ContainedOptions {
  env: Record<string, string>;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  input?: string | Uint8Array;
  /** Capture stdout as bytes. */
  binary?: boolean;
  /** Return non-zero exits instead of throwing. */
  reject?: boolean;
  /** How a failure names the command (default: argv). */
  label?: string;
}

/** The argv prefix that contains a command (see the top of this file). */
export function containPrefix(): string[] {
  return [
    '--pdeathsig',
    'KILL',
    '--',
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--pid',
    '--fork',
    '--kill-child',
    '--',
  ];
}

export async function runContained(argv: readonly string[], options: ContainedOptions): Promise<RunResult> {
  try {
    return await runCommand('setpriv', [...containPrefix(), ...argv], {
      env: options.env,
      extendEnv: false,
      killSignal: 'SIGKILL',
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {}),
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.binary ? { binary: true } : {}),
      ...(options.reject === false ? { reject: false } : {}),
      mergeOutput: !options.binary,
    });
  } catch (error) {
    // Name the program that failed, not the wrapper around it.
    if (error instanceof ProcessError)
      throw error.relabel(options.label ?? describeCommand(argv[0] ?? '', argv.slice(1)));
    throw error;
  }
}

/**
 * Runs inside the mount namespace, as root: mounts what a Debian root needs and changes root into
 * it. Its arguments are data (paths, the registration line); the script itself never changes.
 * The image sees a /dev of its own with only the harmless devices (not the host's disks), and
 * /proc/sys and /proc/sysrq-trigger read-only, as systemd-nspawn gives containers.
 */
const enterRootScript = `set -eu
root=$1
shift
tmpfs=yes
while [ "$#" -gt 0 ]; do
  case "$1" in
    --bind) mount --bind "$2" "$root/$3"; shift 3 ;;
    --binfmt)
      [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
      [ -e "/proc/sys/fs/binfmt_misc/$2" ] || printf '%s' "$3" > /proc/sys/fs/binfmt_misc/register || [ -e "/proc/sys/fs/binfmt_misc/$2" ]
      shift 3 ;;
    --no-tmpfs) tmpfs=no; shift ;;
    --) shift; break ;;
    *) echo "enter-root: unknown option $1" >&2; exit 2 ;;
  esac
done
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
for path in sys sysrq-trigger; do
  [ -e "$root/proc/$path" ] || continue
  mount --bind "$root/proc/$path" "$root/proc/$path"
  mount -o remount,bind,ro "$root/proc/$path"
done
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t tmpfs -o mode=0755,nosuid tmpfs "$root/dev"
for node in null zero full random urandom tty; do
  : > "$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
if [ "$tmpfs" = yes ]; then
  mount -t tmpfs -o mode=0755 tmpfs "$root/run"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mkdir -p "$root/run/systemd/resolve"
  cp /etc/resolv.conf "$root/run/systemd/resolve/stub-resolv.conf"
  cp /etc/resolv.conf "$root/run/systemd/resolve/resolv.conf"
fi
exec chroot "$root" "$@"
`;

export interface BinfmtRegistration {
  /** The entry's name under /proc/sys/fs/binfmt_misc/. */
  name: string;
  /** The `:name:type:offset:magic:mask:interpreter:flags` line. */
  line: string;
}

export interface RootOptions extends ContainedOptions {
  /** Host folders mounted into the root for this command (target relative to the root). */
  binds?: { source: string; target: string }[];
  binfmt?: BinfmtRegistration;
  /**
   * Mount tmpfs on /run and /tmp (default), so nothing a command leaves there reaches the image;
   * the clean step turns it off to empty the real folders.
   */
  tmpfs?: boolean;
}

/** Runs argv inside the image root, in its own mount and PID namespaces. */
export async function runInRoot(
  root: string,
  argv: readonly string[],
  options: RootOptions,
): Promise<RunResult> {
  const tmpfs = options.tmpfs !== false;
  // A hook may have replaced one of these with a symlink: never mount through it.
  const mountPoints = ['proc', 'sys', 'dev', ...(tmpfs ? ['run', 'tmp'] : [])];
  for (const dir of mountPoints) await assertRealDirectory(root, dir);
  const args: string[] = [root];
  for (const bind of options.binds ?? []) {
    await assertRealDirectory(root, bind.target);
    args.push('--bind', bind.source, bind.target);
  }
  if (options.binfmt) args.push('--binfmt', options.binfmt.name, options.binfmt.line);
  if (!tmpfs) args.push('--no-tmpfs');
  args.push('--', ...argv);
  if (argv.length === 0) throw new UserError('runInRoot: no command');
  const label = options.label ?? `${describeCommand(argv[0] ?? '', argv.slice(1))} (in the image)`;
  return runContained(['sh', '-c', enterRootScript, 'enter-root', ...args], { ...options, label });
}
