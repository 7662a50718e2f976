import { SNSClient } from '@aws-sdk/client-sns';
import { tracer } from '../observability';

/** SNS with the SDK's standard retries (3 attempts): endpoint lifecycle, support topic. One module per service: see shared/aws/dynamodb.ts. */
export const sns = tracer.captureAWSv3Client(new SNSClient({}));

/**
 * SNS for the push fan-out's Publish calls: one attempt per call (SDK retries
 * off). The fan-out retries throttling itself, every attempt through its token
 * bucket; SDK retries underneath would multiply the attempts and bypass the
 * bucket (docs/push.md, "Retry").
 */
export const snsPublisher = tracer.captureAWSv3Client(new SNSClient({ maxAttempts: 1 }));
