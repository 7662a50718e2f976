import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../observability';

/*
 * One module per AWS service (dynamodb, s3, sns, sqs, cognito, secrets), so each
 * Lambda bundle carries only the SDK clients its code imports: an SDK client is
 * built when its module loads, and compiling unused clients costs cold start.
 * Clients are built once per execution environment. Endpoints come from the SDK's
 * standard variables (AWS_ENDPOINT_URL_DYNAMODB, _S3, _SNS, _SQS), which the local
 * stack points at DynamoDB Local, s3rver and its local SNS and SQS; in AWS they are
 * unset and the regional endpoints apply. Each client is captured by the Tracer
 * (an X-Ray subsegment per call in Lambda; a no-op locally).
 */

export const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));

/** Document client: plain JS values in and out; undefined attributes dropped. Shares `dynamo`'s middleware, so it is traced too. */
export const ddb = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true },
});
