import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chooseAccel,
  kernelCommandLine,
  qemuBinary,
  qemuCommand,
  type VmSpec,
} from '../../tools/boot-check/qemu-command.js';
import { hasVirtualizationFlag, kvmUsable } from '../../tools/boot-check/vm.js';

const spec: VmSpec = {
  arch: 'x86_64',
  accel: 'tcg',
  kernel: '/out/euca-debian-2026.01.02-x86_64.vmlinuz',
  initrd: '/out/euca-debian-2026.01.02-x86_64.initrd',
  image: '/out/euca-debian-2026.01.02-x86_64.img',
  disks: [
    { path: '/work/first-instance.ephemeral0.img', serial: 'emi-ephemeral0' },
    { path: '/work/first-instance.swap.img', serial: 'emi-swap' },
  ],
  serialLog: '/work/first-instance.serial.log',
  metadataPort: 40123,
  sshPort: 40222,
  memoryMiB: 1024,
  cpus: 2,
};

/** The value after each occurrence of an option. */
function values(args: string[], option: string): string[] {
  return args.flatMap((arg, index) => (arg === option ? [args[index + 1] as string] : []));
}

describe('qemuCommand', () => {
  it('boots x86_64 under TCG: multi-threaded, -cpu max, q35', () => {
    const { file, args } = qemuCommand(spec);
    expect(file).toBe('qemu-system-x86_64');
    expect(values(args, '-accel')).toEqual(['tcg,thread=multi']);
    expect(values(args, '-cpu')).toEqual(['max']);
    expect(values(args, '-machine')).toEqual(['q35']);
    expect(values(args, '-smp')).toEqual(['2']);
    expect(values(args, '-m')).toEqual(['1024']);
    expect(args).not.toContain('-enable-kvm');
  });

  it('boots under KVM with the host CPU when asked', () => {
    const { args } = qemuCommand({ ...spec, accel: 'kvm' });
    expect(values(args, '-accel')).toEqual(['kvm']);
    expect(values(args, '-cpu')).toEqual(['host']);
  });

  it('uses qemu-system-i386 for i386 images, under TCG and KVM alike', () => {
    expect(qemuCommand({ ...spec, arch: 'i386' }).file).toBe('qemu-system-i386');
    const kvm = qemuCommand({ ...spec, arch: 'i386', accel: 'kvm' });
    expect(kvm.file).toBe('qemu-system-i386');
    expect(values(kvm.args, '-accel')).toEqual(['kvm']);
    expect(qemuBinary('x86_64')).toBe('qemu-system-x86_64');
  });

  it('boots the exported kernel and initrd with root= on the image, the first virtio disk', () => {
    const { args } = qemuCommand(spec);
    expect(values(args, '-kernel')).toEqual([spec.kernel]);
    expect(values(args, '-initrd')).toEqual([spec.initrd]);
    expect(values(args, '-append')).toEqual([kernelCommandLine()]);
    expect(kernelCommandLine()).toMatch(/(^| )root=\/dev\/vda( |$)/);
    expect(kernelCommandLine()).toMatch(/console=ttyS0/);
  });

  it('gives the agent the deadline of the test instance on the kernel command line, and writes a pid file', () => {
    const { args } = qemuCommand({ ...spec, agentDeadlineSeconds: 600, pidFile: '/work/first.qemu.pid' });
    expect(values(args, '-append')).toEqual([
      'root=/dev/vda ro console=ttyS0,115200n8 no_timer_check emi_agent.deadline=600',
    ]);
    expect(values(args, '-pidfile')).toEqual(['/work/first.qemu.pid']);
    expect(kernelCommandLine()).not.toContain('emi_agent');
    expect(() => kernelCommandLine(0)).toThrow(/not 1 to 86400/);
    expect(() => kernelCommandLine(1.5)).toThrow(/not 1 to 86400/);
  });

  it('attaches the image in snapshot mode, then the writable disks in order, each with its serial', () => {
    const { args } = qemuCommand(spec);
    expect(values(args, '-drive')).toEqual([
      `if=none,id=root,format=raw,file=${spec.image},snapshot=on`,
      'if=none,id=disk1,format=raw,file=/work/first-instance.ephemeral0.img',
      'if=none,id=disk2,format=raw,file=/work/first-instance.swap.img',
    ]);
    expect(values(args, '-device').filter((device) => device.startsWith('virtio-blk-pci'))).toEqual([
      'virtio-blk-pci,drive=root,serial=emi-root',
      'virtio-blk-pci,drive=disk1,serial=emi-ephemeral0',
      'virtio-blk-pci,drive=disk2,serial=emi-swap',
    ]);
  });

  it("boots the instance's qcow2 overlay instead of a snapshot, ends at the guest's restart, and appends to the console", () => {
    const plain = qemuCommand(spec).args;
    expect(plain).not.toContain('-no-reboot');
    const { args } = qemuCommand({
      ...spec,
      rootOverlay: '/work/first-instance.root.qcow2',
      noReboot: true,
      appendConsole: true,
    });
    expect(values(args, '-drive')[0]).toBe(
      'if=none,id=root,format=qcow2,file=/work/first-instance.root.qcow2',
    );
    expect(values(args, '-drive').slice(1)).toEqual(values(plain, '-drive').slice(1));
    expect(args).toContain('-no-reboot');
    expect(values(args, '-chardev')).toEqual([`file,id=serial0,path=${spec.serialLog},append=on`]);
  });

  it('doubles commas in paths, which QEMU would otherwise split', () => {
    const { args } = qemuCommand({ ...spec, image: '/tmp/a,b.img', serialLog: '/tmp/c,d.log' });
    expect(values(args, '-drive')[0]).toBe('if=none,id=root,format=raw,file=/tmp/a,,b.img,snapshot=on');
    expect(values(args, '-chardev')).toEqual(['file,id=serial0,path=/tmp/c,,d.log']);
  });

  it('writes the serial console to the log file', () => {
    const { args } = qemuCommand(spec);
    expect(values(args, '-chardev')).toEqual([`file,id=serial0,path=${spec.serialLog}`]);
    expect(values(args, '-serial')).toEqual(['chardev:serial0']);
    expect(values(args, '-display')).toEqual(['none']);
  });

  it('forwards 169.254.169.254:80 inside net=169.254.0.0/16 to the emulator with one socat per connection, and a loopback port to sshd', () => {
    const { args } = qemuCommand(spec);
    const [netdev] = values(args, '-netdev');
    expect(netdev).toBe(
      'user,id=net0,net=169.254.0.0/16,guestfwd=tcp:169.254.169.254:80-cmd:socat - TCP:127.0.0.1:40123,hostfwd=tcp:127.0.0.1:40222-:22',
    );
    // The -tcp: form carries one connection for the whole life of the VM.
    expect(netdev).not.toMatch(/guestfwd=[^,]*-tcp:/);
    expect(values(args, '-device')).toContain('virtio-net-pci,netdev=net0');
  });

  it('refuses ports and serials that would break the command line', () => {
    expect(() => qemuCommand({ ...spec, sshPort: 0 })).toThrow(/ssh port/);
    expect(() => qemuCommand({ ...spec, metadataPort: 70000 })).toThrow(/metadata port/);
    expect(() => qemuCommand({ ...spec, disks: [{ path: '/x', serial: 'a,b' }] })).toThrow(/serial/);
  });
});

describe('chooseAccel', () => {
  it('takes KVM for x86 guests on an x86_64 host when KVM is usable, TCG otherwise', () => {
    expect(chooseAccel('x86_64', 'x64', true)).toBe('kvm');
    expect(chooseAccel('i386', 'x64', true)).toBe('kvm');
    expect(chooseAccel('x86_64', 'x64', false)).toBe('tcg');
    expect(chooseAccel('i386', 'x64', false)).toBe('tcg');
  });

  it('emulates when the host is of another family', () => {
    expect(chooseAccel('x86_64', 'arm64', true)).toBe('tcg');
    expect(chooseAccel('x86_64', 'ia32', true)).toBe('tcg');
    expect(chooseAccel('i386', 'ia32', true)).toBe('kvm');
  });

  it('sees KVM as usable only on a CPU with vmx or svm', () => {
    expect(hasVirtualizationFlag('processor\t: 0\nflags\t\t: fpu vme de pse tsc msr svm lahf_lm\n')).toBe(
      true,
    );
    expect(hasVirtualizationFlag('flags\t\t: fpu vmx sse\n')).toBe(true);
    expect(hasVirtualizationFlag('flags\t\t: fpu vme de pse tsc msr hypervisor\n')).toBe(false);
    expect(hasVirtualizationFlag('model name\t: AMD EPYC svm\nflags\t\t: fpu\n')).toBe(false);
  });
});

describe('kvmUsable', () => {
  it('needs both an openable device and the CPU flag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emi-kvm-'));
    try {
      const device = join(dir, 'kvm');
      const withFlag = join(dir, 'cpuinfo-svm');
      const without = join(dir, 'cpuinfo');
      await writeFile(device, '');
      await writeFile(withFlag, 'flags\t\t: fpu svm\n');
      await writeFile(without, 'flags\t\t: fpu hypervisor\n');
      expect(await kvmUsable(device, withFlag)).toBe(true);
      expect(await kvmUsable(device, without)).toBe(false);
      expect(await kvmUsable(join(dir, 'missing'), withFlag)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
