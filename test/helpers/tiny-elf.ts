/**
 * The smallest static programs that print a line and exit 0, for x86_64 and aarch64: enough to test
 * how the builder runs an image's programs (natively, or through qemu and binfmt_misc) without
 * bootstrapping a whole Debian.
 */

const base = 0x400000;
const headerSize = 64 + 56;

function x86_64Code(message: Buffer): Buffer {
  // mov eax,1; mov edi,1; lea rsi,[rip+16]; mov edx,len; syscall; mov eax,60; xor edi,edi; syscall
  const code = Buffer.from([
    0xb8,
    0x01,
    0,
    0,
    0,
    0xbf,
    0x01,
    0,
    0,
    0,
    0x48,
    0x8d,
    0x35,
    0x10,
    0,
    0,
    0,
    0xba,
    message.length,
    0,
    0,
    0,
    0x0f,
    0x05,
    0xb8,
    0x3c,
    0,
    0,
    0,
    0x31,
    0xff,
    0x0f,
    0x05,
  ]);
  return Buffer.concat([code, message]);
}

function aarch64Code(message: Buffer): Buffer {
  // mov x0,#1; adr x1,msg; mov x2,#len; mov x8,#64 (write); svc #0; mov x0,#0; mov x8,#93 (exit); svc #0
  const words = [
    0xd2800020,
    0x100000e1,
    0xd2800002 | (message.length << 5),
    0xd2800808,
    0xd4000001,
    0xd2800000,
    0xd2800ba8,
    0xd4000001,
  ];
  const code = Buffer.alloc(words.length * 4);
  words.forEach((word, index) => {
    code.writeUInt32LE(word >>> 0, index * 4);
  });
  return Buffer.concat([code, message]);
}

/** A static ELF executable for the arch that writes `message` to stdout and exits 0. */
export function tinyElf(arch: 'x86_64' | 'aarch64', message = 'ok\n'): Buffer {
  const body = arch === 'x86_64' ? x86_64Code(Buffer.from(message)) : aarch64Code(Buffer.from(message));
  const total = headerSize + body.length;
  const header = Buffer.alloc(headerSize);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(header, 0);
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(arch === 'x86_64' ? 0x3e : 0xb7, 18);
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(BigInt(base + headerSize), 24); // entry
  header.writeBigUInt64LE(64n, 32); // program headers
  header.writeUInt16LE(64, 52);
  header.writeUInt16LE(56, 54);
  header.writeUInt16LE(1, 56);
  // PT_LOAD of the whole file, read + execute
  header.writeUInt32LE(1, 64);
  header.writeUInt32LE(5, 68);
  header.writeBigUInt64LE(0n, 72);
  header.writeBigUInt64LE(BigInt(base), 80);
  header.writeBigUInt64LE(BigInt(base), 88);
  header.writeBigUInt64LE(BigInt(total), 96);
  header.writeBigUInt64LE(BigInt(total), 104);
  header.writeBigUInt64LE(0x1000n, 112);
  return Buffer.concat([header, body]);
}
