import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function';

export interface PushFanOutProps {
  /**
   * Maximum run time of one batch.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Messages handed to one invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Deliveries before a message is parked in the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Concurrent invocations the queue may drive (keeps SNS and DynamoDB bursts bounded).
   * @default 5
   */
  readonly maxConcurrency?: number;
}

/**
 * Device push fan-out (SES-3/7/10): a queue of push jobs, its dead-letter queue
 * and the `push` worker consuming it with partial batch responses, so one failed
 * device does not redeliver the whole batch. Pushes are only wake-ups (DEV-7):
 * a job that ends in the DLQ loses nothing the device's check-in cannot recover.
 *
 * Grants on the table, SNS and the support topic are added by the caller through
 * the worker's `bind*` methods.
 */
export class PushFanOut extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly worker: ServiceFunction;

  constructor(scope: Construct, id: string, props: PushFanOutProps = {}) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(60);
    const batchSize = props.batchSize ?? 10;
    if (batchSize < 1 || batchSize > 10) throw new Error('PushFanOut: batchSize must be 1–10 (standard queue without batching window)');

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance: at least six times the function timeout, so retries do not overlap a running batch.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    this.worker = new ServiceFunction(this, 'Worker', {
      name: 'push',
      description: 'mOphas Update Cloud: device push fan-out (SQS worker)',
      timeout,
    });
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );
  }
}
