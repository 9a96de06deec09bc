/**
 * GitHub's published OpenAPI description of api.github.com (npm @octokit/openapi), loaded once per
 * test process into openapi-backend, which matches a request to its operation and validates the
 * request and the response against it.
 */
import { createRequire } from 'node:module';
import { OpenAPIBackend } from 'openapi-backend';

const require = createRequire(import.meta.url);

let loading: Promise<OpenAPIBackend> | undefined;

/** The description's file, not the package index (which loads all ten descriptions). */
export const descriptionFile = '@octokit/openapi/generated/api.github.com.json';

export function githubOpenApi(): Promise<OpenAPIBackend> {
  loading ??= (async () => {
    const spec = structuredClone(require(descriptionFile)) as {
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
    };
    // The upload endpoint's own text says a 502 "may leave an empty asset with a state of
    // `starter`", but the release-asset schema's enum lists only uploaded and open. The fake shows
    // such an asset as GitHub does, so the enum gets the state the description itself documents.
    spec.components.schemas['release-asset']?.properties.state?.enum?.push('starter');
    const api = new OpenAPIBackend({
      definition: spec as never,
      quick: true,
      strict: false,
      validate: true,
      ajvOpts: { strict: false, logger: false, validateFormats: false },
    });
    await api.init();
    return api;
  })();
  return loading;
}
