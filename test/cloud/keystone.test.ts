/**
 * The Keystone v3 token request, against the shapes of the Identity API reference
 * (https://docs.openstack.org/api-ref/identity/v3/): no Keystone runs here, so this is what is
 * checked of password, token and application-credential auth.
 */
import { describe, expect, it } from 'vitest';
import type { CloudConfig } from '../../tools/cloud/clouds-config.js';
import { imageEndpointFromCatalog, keystoneTokenRequest } from '../../tools/cloud/keystone.js';

const base: CloudConfig = {
  name: 'private',
  file: 'clouds.yaml',
  authType: 'password',
  auth: {},
  interface: 'public',
  verify: true,
};

describe('keystoneTokenRequest', () => {
  it('password with user and project names in their domains, scoped to the project', () => {
    const request = keystoneTokenRequest({
      ...base,
      auth: {
        auth_url: 'https://keystone.example:5000',
        username: 'builder',
        password: 'secret',
        project_name: 'images',
        user_domain_name: 'Default',
        project_domain_name: 'Default',
      },
    });
    expect(request.url.href).toBe('https://keystone.example:5000/v3/auth/tokens');
    expect(request.body).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'builder', domain: { name: 'Default' }, password: 'secret' } },
        },
        scope: { project: { name: 'images', domain: { name: 'Default' } } },
      },
    });
  });

  it('password with ids, an auth_url that already ends in /v3', () => {
    const request = keystoneTokenRequest({
      ...base,
      auth: { auth_url: 'http://k/identity/v3/', user_id: 'u1', password: 'p', project_id: 'p1' },
    });
    expect(request.url.href).toBe('http://k/identity/v3/auth/tokens');
    expect(request.body.auth).toEqual({
      identity: { methods: ['password'], password: { user: { id: 'u1', password: 'p' } } },
      scope: { project: { id: 'p1' } },
    });
  });

  it('token', () => {
    const request = keystoneTokenRequest({
      ...base,
      authType: 'token',
      auth: { auth_url: 'http://k/v3', token: 't0k', project_id: 'p1' },
    });
    expect(request.body.auth).toEqual({
      identity: { methods: ['token'], token: { id: 't0k' } },
      scope: { project: { id: 'p1' } },
    });
  });

  it('application credential: no scope (the credential carries its project)', () => {
    const request = keystoneTokenRequest({
      ...base,
      authType: 'application_credential',
      auth: {
        auth_url: 'http://k/v3',
        application_credential_id: 'ac1',
        application_credential_secret: 's',
        project_id: 'ignored',
      },
    });
    expect(request.body.auth).toEqual({
      identity: { methods: ['application_credential'], application_credential: { id: 'ac1', secret: 's' } },
    });
  });

  it('refuses to ask without the secret, naming what is missing but no value', () => {
    expect(() => keystoneTokenRequest({ ...base, auth: { auth_url: 'http://k', username: 'u' } })).toThrow(
      /clouds.private has no password \(give auth.password in clouds.yaml or secure.yaml, or OS_PASSWORD\)/,
    );
  });
});

describe('imageEndpointFromCatalog', () => {
  const catalog = [
    { type: 'identity', endpoints: [{ interface: 'public', region_id: 'R1', url: 'http://k' }] },
    {
      type: 'image',
      endpoints: [
        { interface: 'internal', region_id: 'R1', url: 'http://glance.internal:9292' },
        { interface: 'public', region_id: 'R1', url: 'https://glance.r1' },
        { interface: 'public', region_id: 'R2', url: 'https://glance.r2' },
      ],
    },
  ];
  it('picks the interface and the region', () => {
    expect(imageEndpointFromCatalog(catalog, 'public', 'R2')).toBe('https://glance.r2');
    expect(imageEndpointFromCatalog(catalog, 'internal')).toBe('http://glance.internal:9292');
    expect(imageEndpointFromCatalog(catalog, 'admin')).toBeUndefined();
  });
});
