import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV, optionalEnv } from '../config';
import { tracer } from '../observability';

/*
 * SDK clients, built once per execution environment. Endpoints come from the SDK's
 * standard variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL_SQS), which the local stack sets to
 * DynamoDB Local, s3rver and its local SNS and SQS endpoints; in AWS they are unset and the regional endpoints apply.
 * Each client is captured by the Tracer (an X-Ray subsegment per call in Lambda; a no-op locally).
 */

export const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));

/** Document client: plain JS values in and out; undefined attributes dropped. Shares `dynamo`'s middleware, so it is traced too. */
export const ddb = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true },
});

export const s3 = tracer.captureAWSv3Client(
  new S3Client({
    forcePathStyle: optionalEnv(ENV.s3ForcePathStyle) === 'true',
    // Checksums only where S3 requires them: s3rver stores aws-chunked framing otherwise (TOOLCHAIN).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }),
);

/** SNS with the SDK's standard retries (3 attempts): endpoint lifecycle, support topic. */
export const sns = tracer.captureAWSv3Client(new SNSClient({}));

/**
 * SNS for the push fan-out's Publish calls: one attempt per call (SDK retries
 * off). The fan-out retries throttling itself, every attempt through its token
 * bucket; SDK retries underneath would multiply the attempts and bypass the
 * bucket (docs/push.md, "Retry").
 */
export const snsPublisher = tracer.captureAWSv3Client(new SNSClient({ maxAttempts: 1 }));

export const sqs = tracer.captureAWSv3Client(new SQSClient({}));
