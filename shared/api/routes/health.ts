import * as z from 'zod';
import { defineRoute } from '../contract';
import { Count } from '../fields';
import { Timestamp } from '../components';

/** The `health` function: liveness. */
export const health = {
  health: defineRoute({
    method: 'GET',
    path: '/v1/health',
    fn: 'health',
    auth: 'public',
    summary: 'Liveness and dependency check',
    responses: { 200: z.object({ status: z.literal('ok'), time: Timestamp, catalogVersion: Count }) },
    errors: { 503: ['DEPENDENCY_UNAVAILABLE'] },
  }),
};
