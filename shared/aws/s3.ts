import { S3Client } from '@aws-sdk/client-s3';
import { ENV, optionalEnv } from '../config';
import { tracer } from '../observability';

/** The S3 client (packages, desktop logs). One module per service: see shared/aws/dynamodb.ts. */
export const s3 = tracer.captureAWSv3Client(
  new S3Client({
    forcePathStyle: optionalEnv(ENV.s3ForcePathStyle) === 'true',
    // Checksums only where S3 requires them: s3rver stores aws-chunked framing otherwise (TOOLCHAIN).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }),
);
