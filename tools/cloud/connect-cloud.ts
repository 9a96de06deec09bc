/** A cloud from clouds.yaml, connected: its Glance client and the secrets to keep out of any output. */
import { readFile } from 'node:fs/promises';
import { UserError } from '../lib/errors.js';
import { type CloudConfig, cloudSecrets } from './clouds-config.js';
import { GlanceClient } from './glance-client.js';
import type { TlsOptions } from './http-request.js';
import { authenticate } from './keystone.js';

export interface CloudConnection {
  config: CloudConfig;
  glance: GlanceClient;
  /** Passwords and tokens (the Keystone token included): redact them from anything printed. */
  secrets: string[];
}

export async function connectCloud(config: CloudConfig): Promise<CloudConnection> {
  const tls: TlsOptions = { insecure: !config.verify };
  if (config.cacertFile) {
    try {
      tls.ca = await readFile(config.cacertFile, 'utf8');
    } catch (error) {
      throw new UserError(`${config.file}: cacert ${config.cacertFile} cannot be read`, { cause: error });
    }
  }
  const secrets = cloudSecrets(config);
  if (config.authType === 'none') {
    const endpoint = config.imageEndpointOverride as string;
    return { config, glance: new GlanceClient({ endpoint, tls }), secrets };
  }
  const session = await authenticate(config, tls);
  secrets.push(session.token);
  return {
    config,
    glance: new GlanceClient({ endpoint: session.imageEndpoint, token: session.token, tls }),
    secrets,
  };
}
