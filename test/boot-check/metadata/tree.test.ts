/** EC2's formats, exactly: what every later test and a user's image will see. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeInstance } from '../../../tools/boot-check/metadata/instance.js';
import { identityCertificatePem } from '../../../tools/boot-check/metadata/signing.js';
import { answerMetadata, metadataVersions } from '../../../tools/boot-check/metadata/tree.js';
import { runCommand } from '../../../tools/lib/exec.js';

const instance = normalizeInstance({
  instance_id: 'i-0123456789abcdef0',
  public_keys: [
    { name: 'alice', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA alice' },
    { name: 'bob', key: 'ssh-rsa AAAAB3NzaC1yc2E bob' },
  ],
  block_device_mapping: { ami: '/dev/xvda', root: '/dev/xvda', ephemeral0: 'sdb' },
  user_data: '#!/bin/sh\necho hi\n',
});

const text = (path: string, from = instance) => {
  const answer = answerMetadata(from, path);
  return { status: answer.status, body: answer.body.toString('utf8'), type: answer.contentType };
};

describe('metadata tree', () => {
  it('lists the versions at /, latest last', () => {
    const { body } = text('/');
    expect(body.split('\n')).toEqual([...metadataVersions]);
    expect(body.split('\n').at(-1)).toBe('latest');
    expect(body.endsWith('\n')).toBe(false);
  });

  it('lists meta-data with a trailing / for folders and no final newline', () => {
    const { body, type } = text('/latest/meta-data/');
    expect(type).toBe('text/plain');
    expect(body.split('\n')).toEqual([
      'ami-id',
      'ami-launch-index',
      'ami-manifest-path',
      'block-device-mapping/',
      'hostname',
      'instance-action',
      'instance-id',
      'instance-type',
      'local-hostname',
      'local-ipv4',
      'mac',
      'network/',
      'placement/',
      'public-keys/',
      'reservation-id',
      'security-groups',
    ]);
    expect(text('/latest/meta-data').body).toBe(body);
    expect(text('/2009-04-04/meta-data/').body).toBe(body);
  });

  it('answers public-keys/ as N=name lines and openssh-key with its trailing newline', () => {
    expect(text('/latest/meta-data/public-keys/').body).toBe('0=alice\n1=bob');
    expect(text('/latest/meta-data/public-keys/1/').body).toBe('openssh-key');
    expect(text('/latest/meta-data/public-keys/1/openssh-key').body).toBe('ssh-rsa AAAAB3NzaC1yc2E bob\n');
    expect(text('/latest/meta-data/public-keys/2/openssh-key').status).toBe(404);
    expect(text('/latest/meta-data/public-keys/', normalizeInstance({ instance_id: 'i-1' })).status).toBe(
      404,
    );
  });

  it('answers block-device-mapping/ and its leaves', () => {
    expect(text('/latest/meta-data/block-device-mapping/').body).toBe('ami\nephemeral0\nroot');
    expect(text('/latest/meta-data/block-device-mapping/ephemeral0').body).toBe('sdb');
    expect(text('/latest/meta-data/placement/availability-zone').body).toBe('us-east-1a');
    expect(text('/latest/meta-data/instance-id/').status).toBe(404);
  });

  it('serves user-data raw as application/octet-stream, and 404 when there is none', () => {
    expect(text('/latest/user-data')).toEqual({
      status: 200,
      body: '#!/bin/sh\necho hi\n',
      type: 'application/octet-stream',
    });
    expect(text('/latest/').body).toBe('dynamic\nmeta-data\nuser-data');
    const none = normalizeInstance({ instance_id: 'i-1' });
    expect(text('/latest/user-data', none).status).toBe(404);
    expect(text('/latest/', none).body).toBe('dynamic\nmeta-data');
  });

  it("answers unknown paths with EC2's HTML 404 page", () => {
    const { status, body, type } = text('/latest/meta-data/no-such-thing');
    expect(status).toBe(404);
    expect(type).toBe('text/html');
    expect(body).toContain('<title>404 - Not Found</title>');
    expect(text('/1999-01-01/meta-data/').status).toBe(404);
  });

  it('serves the instance identity document as EC2 prints it', () => {
    expect(text('/latest/dynamic/').body).toBe('instance-identity/');
    expect(text('/latest/dynamic/instance-identity/').body).toBe('document\npkcs7\nrsa2048\nsignature');
    const { body } = text('/latest/dynamic/instance-identity/document');
    expect(body).toMatch(/^\{\n {2}"accountId" : "123456789012",\n/);
    expect(JSON.parse(body)).toMatchObject({
      instanceId: 'i-0123456789abcdef0',
      privateIp: '172.31.0.10',
      region: 'us-east-1',
      version: '2017-09-30',
      kernelId: null,
    });
  });

  it('gives Eucalyptus its defaults: the private IP as local-hostname, ephemeral0=sda2, swap=sda3', () => {
    const euca = normalizeInstance({
      instance_id: 'i-3F2A9C1B',
      tokens: 'eucalyptus',
      local_ipv4: '10.1.2.3',
    });
    expect(text('/latest/meta-data/local-hostname', euca).body).toBe('10.1.2.3');
    expect(text('/latest/meta-data/block-device-mapping/ephemeral0', euca).body).toBe('sda2');
    expect(text('/latest/meta-data/block-device-mapping/swap', euca).body).toBe('sda3');
    expect(text('/latest/meta-data/ami-id', euca).body).toMatch(/^emi-/);
  });

  it('serves hostile values as given (the agent must cope)', () => {
    const hostile = normalizeInstance({
      instance_id: 'i-1',
      local_hostname: '$(reboot)\nx',
      meta_data: { 'kernel-id': 'eki-1' },
    });
    expect(text('/latest/meta-data/local-hostname', hostile).body).toBe('$(reboot)\nx');
    expect(text('/latest/meta-data/kernel-id', hostile).body).toBe('eki-1');
  });

  // Issue 13, item 19: what cloud-init and ec2-metadata read beyond the basics.
  it('describes the primary interface under network/interfaces/macs/<mac>/, as cloud-init reads it', () => {
    const vpc = normalizeInstance({
      instance_id: 'i-1',
      mac: '0a:1b:2c:3d:4e:5f',
      local_ipv4: '172.31.37.9',
      public_ipv4: '203.0.113.7',
      public_hostname: 'ec2-203-0-113-7.compute-1.amazonaws.com',
    });
    const base = '/latest/meta-data/network/interfaces/macs/';
    expect(text('/latest/meta-data/network/').body).toBe('interfaces/');
    expect(text('/latest/meta-data/network/interfaces/').body).toBe('macs/');
    expect(text(base, vpc).body).toBe('0a:1b:2c:3d:4e:5f/');
    expect(text(`${base}0a:1b:2c:3d:4e:5f/`, vpc).body.split('\n')).toEqual([
      'device-number',
      'interface-id',
      'ipv4-associations/',
      'local-hostname',
      'local-ipv4s',
      'mac',
      'owner-id',
      'public-hostname',
      'public-ipv4s',
      'security-group-ids',
      'security-groups',
      'subnet-id',
      'subnet-ipv4-cidr-block',
      'vpc-id',
      'vpc-ipv4-cidr-block',
      'vpc-ipv4-cidr-blocks',
    ]);
    const leaf = (name: string) => text(`${base}0a:1b:2c:3d:4e:5f/${name}`, vpc).body;
    expect(leaf('device-number')).toBe('0');
    expect(leaf('mac')).toBe('0a:1b:2c:3d:4e:5f');
    expect(leaf('local-ipv4s')).toBe('172.31.37.9');
    expect(leaf('subnet-ipv4-cidr-block')).toBe('172.31.32.0/20');
    expect(leaf('vpc-ipv4-cidr-block')).toBe('172.31.0.0/16');
    expect(leaf('ipv4-associations/')).toBe('203.0.113.7');
    expect(leaf('ipv4-associations/203.0.113.7')).toBe('172.31.37.9');
    expect(text('/latest/meta-data/mac', vpc).body).toBe('0a:1b:2c:3d:4e:5f');
  });

  it('serves tags/instance/ with keys EC2 allows (capitals, colons), and 404 without tags', () => {
    const tagged = normalizeInstance({
      instance_id: 'i-1',
      tags: { Name: 'web-1', 'aws:cloudformation:stack-name': 'shop', 'team@x': 'ops' },
    });
    expect(text('/latest/meta-data/tags/', tagged).body).toBe('instance/');
    expect(text('/latest/meta-data/tags/instance/', tagged).body).toBe(
      'Name\naws:cloudformation:stack-name\nteam@x',
    );
    expect(text('/latest/meta-data/tags/instance/Name', tagged).body).toBe('web-1');
    expect(text('/latest/meta-data/tags/instance/aws:cloudformation:stack-name', tagged).body).toBe('shop');
    expect(text('/latest/meta-data/tags/instance/').status).toBe(404);
    expect(text('/latest/meta-data/', tagged).body).toContain('\ntags/');
  });

  it('signs the identity document: signature, pkcs7 and rsa2048 verify with openssl as AWS documents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emi-identity-'));
    try {
      const document = text('/latest/dynamic/instance-identity/document').body;
      await writeFile(join(dir, 'document'), document);
      await writeFile(join(dir, 'certificate'), identityCertificatePem());
      for (const name of ['pkcs7', 'rsa2048']) {
        const answer = text(`/latest/dynamic/instance-identity/${name}`);
        expect(answer.status).toBe(200);
        expect(answer.body).not.toContain('-----');
        expect(answer.body.split('\n').every((line) => line.length <= 64)).toBe(true);
        // AWS's steps: wrap in PEM lines, then openssl smime -verify against the certificate.
        await writeFile(join(dir, name), `-----BEGIN PKCS7-----\n${answer.body}\n-----END PKCS7-----\n`);
        const verify = await runCommand(
          'openssl',
          [
            'smime',
            '-verify',
            '-in',
            name,
            '-inform',
            'PEM',
            '-content',
            'document',
            '-certfile',
            'certificate',
            '-noverify',
          ],
          { cwd: dir, reject: false },
        );
        expect(verify.exitCode, verify.stderr).toBe(0);
        expect(verify.stdout).toBe(document);
        expect(verify.stderr).toContain('Verification successful');
      }
      await writeFile(
        join(dir, 'signature'),
        Buffer.from(text('/latest/dynamic/instance-identity/signature').body, 'base64'),
      );
      await runCommand('openssl', ['x509', '-pubkey', '-noout', '-in', 'certificate', '-out', 'key'], {
        cwd: dir,
      });
      const good = await runCommand(
        'openssl',
        ['dgst', '-sha256', '-verify', 'key', '-signature', 'signature', 'document'],
        {
          cwd: dir,
          reject: false,
        },
      );
      expect(good.stdout).toContain('Verified OK');
      // Another instance's document does not verify with this one's signature.
      await writeFile(join(dir, 'document'), document.replace('i-0123456789abcdef0', 'i-0fedcba9876543210'));
      const bad = await runCommand(
        'openssl',
        ['dgst', '-sha256', '-verify', 'key', '-signature', 'signature', 'document'],
        {
          cwd: dir,
          reject: false,
        },
      );
      expect(bad.exitCode).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
