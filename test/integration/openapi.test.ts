import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../fixtures/api';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

describe('OpenAPI document on the local stack', () => {
  it('is served at /openapi.json', async () => {
    const res = await fetch(`${api.gateway.url}/openapi.json`);
    expect(res.status).toBe(200);
    const served = (await res.json()) as { paths: Record<string, Record<string, { requestBody: { required: boolean } }>> };
    expect(served.paths['/v1/device/check-in']!.post!.requestBody.required).toBe(true);
  });
});
