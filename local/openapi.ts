import { buildOpenApi, type Contracts } from '../shared/http/openapi';
import { HTTP_FUNCTIONS } from '../shared/http/routes';
import { loadHandler } from './gateway';

/** Builds the OpenAPI document from the contracts of every deployed handler module. */
export async function openApiDocument() {
  const contracts: Contracts = {};
  for (const fn of HTTP_FUNCTIONS) {
    const handler = (await loadHandler(fn)) as unknown as { contracts?: Contracts };
    Object.assign(contracts, handler.contracts ?? {});
  }
  return buildOpenApi(contracts);
}
