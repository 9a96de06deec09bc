/** EC2's formats, exactly: what every later test and a user's image will see. */
import { describe, expect, it } from 'vitest';
import { normalizeInstance } from '../../../tools/boot-check/metadata/instance.js';
import { answerMetadata, metadataVersions } from '../../../tools/boot-check/metadata/tree.js';

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
});
