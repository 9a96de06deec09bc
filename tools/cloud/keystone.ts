/**
 * Keystone v3: a scoped token for password, token or application-credential auth, and the image
 * service's endpoint from the token's catalog (by interface and region).
 * https://docs.openstack.org/api-ref/identity/v3/#password-authentication-with-scoped-authorization
 */
import { UserError } from '../lib/errors.js';
import { CloudApiError, CloudAuthError, errorDetail } from './cloud-errors.js';
import type { CloudAuth, CloudConfig } from './clouds-config.js';
import { httpCall, type TlsOptions } from './http-request.js';

export interface KeystoneRequest {
  url: URL;
  body: { auth: Record<string, unknown> };
}

function domain(id: string | undefined, name: string | undefined): Record<string, string> | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

function scope(auth: CloudAuth): Record<string, unknown> | undefined {
  const projectDomain =
    domain(auth.project_domain_id, auth.project_domain_name) ?? domain(auth.domain_id, auth.domain_name);
  if (auth.project_id) return { project: { id: auth.project_id } };
  if (auth.project_name)
    return { project: { name: auth.project_name, ...(projectDomain ? { domain: projectDomain } : {}) } };
  const only = domain(auth.domain_id, auth.domain_name);
  return only ? { domain: only } : undefined;
}

function missing(config: CloudConfig, field: string, variable: string): UserError {
  return new UserError(
    `${config.file}: clouds.${config.name} has no ${field} (give auth.${field} in clouds.yaml or secure.yaml, or ${variable})`,
  );
}

/** POST <auth_url>/v3/auth/tokens: the URL and body for a cloud (pure, so its shape is tested). */
export function keystoneTokenRequest(config: CloudConfig): KeystoneRequest {
  const auth = config.auth;
  const base = (auth.auth_url ?? '').replace(/\/+$/, '');
  const url = new URL(`${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`);
  let identity: Record<string, unknown>;
  let scoped = true;
  if (config.authType === 'password') {
    if (!auth.password) throw missing(config, 'password', 'OS_PASSWORD');
    const userDomain =
      domain(auth.user_domain_id, auth.user_domain_name) ?? domain(auth.domain_id, auth.domain_name);
    const user = auth.user_id
      ? { id: auth.user_id, password: auth.password }
      : { name: auth.username, ...(userDomain ? { domain: userDomain } : {}), password: auth.password };
    identity = { methods: ['password'], password: { user } };
  } else if (config.authType === 'token') {
    if (!auth.token) throw missing(config, 'token', 'OS_TOKEN');
    identity = { methods: ['token'], token: { id: auth.token } };
  } else if (config.authType === 'application_credential') {
    if (!auth.application_credential_secret)
      throw missing(config, 'application_credential_secret', 'OS_APPLICATION_CREDENTIAL_SECRET');
    const credential = auth.application_credential_id
      ? { id: auth.application_credential_id, secret: auth.application_credential_secret }
      : {
          name: auth.application_credential_name,
          secret: auth.application_credential_secret,
          user: { name: auth.username, domain: domain(auth.user_domain_id, auth.user_domain_name) },
        };
    identity = { methods: ['application_credential'], application_credential: credential };
    // An application credential carries its own project: Keystone refuses a scope beside it.
    scoped = false;
  } else {
    throw new Error(`auth_type ${config.authType} needs no token`);
  }
  const wanted = scoped ? scope(auth) : undefined;
  return { url, body: { auth: { identity, ...(wanted ? { scope: wanted } : {}) } } };
}

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region?: string; region_id?: string; url: string }[];
}

/** The image service's URL in a token's catalog, for an interface and (optionally) a region. */
export function imageEndpointFromCatalog(
  catalog: readonly CatalogEntry[],
  wantedInterface: string,
  region?: string,
): string | undefined {
  const service = catalog.find((entry) => entry.type === 'image');
  const endpoint = service?.endpoints.find(
    (candidate) =>
      candidate.interface === wantedInterface &&
      (!region || candidate.region_id === region || candidate.region === region),
  );
  return endpoint?.url;
}

export interface KeystoneSession {
  token: string;
  imageEndpoint: string;
}

export async function authenticate(config: CloudConfig, tls?: TlsOptions): Promise<KeystoneSession> {
  const request = keystoneTokenRequest(config);
  const response = await httpCall({
    method: 'POST',
    url: request.url,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'emi-toolkit' },
    body: JSON.stringify(request.body),
    ...(tls ? { tls } : {}),
  });
  const path = request.url.pathname;
  if (response.status === 401 || response.status === 403)
    throw new CloudAuthError('Keystone', 'POST', path, response.status, errorDetail(response.body));
  if (response.status !== 201)
    throw new CloudApiError('Keystone', 'POST', path, response.status, errorDetail(response.body));
  const token = response.headers['x-subject-token'];
  if (typeof token !== 'string' || !token)
    throw new CloudApiError('Keystone', 'POST', path, response.status, 'the answer has no X-Subject-Token');
  const body = JSON.parse(response.body) as { token?: { catalog?: CatalogEntry[] } };
  const imageEndpoint =
    config.imageEndpointOverride ??
    imageEndpointFromCatalog(body.token?.catalog ?? [], config.interface, config.regionName);
  if (!imageEndpoint)
    throw new CloudApiError(
      'Keystone',
      'POST',
      path,
      response.status,
      `the catalog has no ${config.interface} image endpoint${config.regionName ? ` in ${config.regionName}` : ''}`,
    );
  return { token, imageEndpoint };
}
