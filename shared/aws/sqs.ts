import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from '../observability';

/** The SQS client (the push queue). One module per service: see shared/aws/dynamodb.ts. */
export const sqs = tracer.captureAWSv3Client(new SQSClient({}));
