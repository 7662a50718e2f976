import { buildOpenApi } from '../shared/api/openapi';

/** The OpenAPI document of the contract table (served locally at /openapi.json; docs/openapi.json is its committed copy). */
export async function openApiDocument() {
  return buildOpenApi();
}
