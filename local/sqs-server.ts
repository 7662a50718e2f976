/**
 * A small SQS-compatible endpoint for the local stack, playing the part of the
 * push queue AND its event source mapping: it speaks the AWS JSON protocol the
 * SDK's SQSClient uses for the calls this project makes (SendMessage,
 * SendMessageBatch, GetQueueUrl, CreateQueue) and delivers every message to the
 * same `functions/push/handler.ts` module deployed to Lambda, as SQS events.
 * Records the worker hands back (batchItemFailures) are redelivered after a
 * short visibility delay; after `maxReceiveCount` deliveries they are parked in
 * a dead-letter list, as the real redrive policy does.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context';

const ACCOUNT = '000000000000';

interface Message {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: number;
}

export interface LocalSqs {
  url: string;
  server: Server;
  /** Resolves when no message is waiting or being delivered. */
  drained(): Promise<void>;
  deadLetters: Message[];
  close(): Promise<void>;
}

type Worker = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export async function startLocalSqs(options: {
  port: number;
  region: string;
  /** Loads the worker lazily (its SDK clients read the env the stack sets). */
  worker: () => Promise<Worker>;
  batchSize?: number;
  maxReceiveCount?: number;
  visibilityMs?: number;
}): Promise<LocalSqs> {
  const { region } = options;
  const batchSize = options.batchSize ?? 10;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const visibilityMs = options.visibilityMs ?? 500;
  const queues = new Map<string, string>(); // name → url
  const waiting: Message[] = [];
  const deadLetters: Message[] = [];
  let inFlight = 0;
  let stopped = false;
  let idle: (() => void)[] = [];
  let base = '';

  const queueArn = (name: string) => `arn:aws:sqs:${region}:${ACCOUNT}:${name}`;

  function enqueue(body: string): Message {
    const message = { messageId: randomUUID(), body, receiveCount: 0, sentAt: Date.now() };
    waiting.push(message);
    setImmediate(pump);
    return message;
  }

  async function pump() {
    while (!stopped && waiting.length > 0) {
      const batch = waiting.splice(0, batchSize);
      inFlight += batch.length;
      const records: SQSRecord[] = batch.map((m) => {
        m.receiveCount++;
        return {
          messageId: m.messageId,
          receiptHandle: randomUUID(),
          body: m.body,
          attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
            SenderId: ACCOUNT,
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: md5(m.body),
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn('mophas-push'),
          awsRegion: region,
        };
      });
      let failedIds = new Set(batch.map((m) => m.messageId));
      try {
        // The worker's Lambda timeout in AWS is 60 s; it stops early and hands back what it could not finish.
        const response = await (await options.worker())({ Records: records }, lambdaContext('push', 60_000));
        failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        console.error('local SQS: push worker failed', error);
      }
      for (const m of batch) {
        inFlight--;
        if (!failedIds.has(m.messageId)) continue;
        if (m.receiveCount >= maxReceiveCount) deadLetters.push(m);
        else
          setTimeout(() => {
            waiting.push(m);
            pump();
          }, visibilityMs).unref();
      }
    }
    if (waiting.length === 0 && inFlight === 0) {
      const waiters = idle;
      idle = [];
      for (const w of waiters) w();
    }
  }

  const actions: Record<string, (input: Record<string, any>) => unknown> = {
    CreateQueue: ({ QueueName }) => {
      const url = `${base}/${ACCOUNT}/${QueueName}`;
      queues.set(QueueName, url);
      return { QueueUrl: url };
    },
    GetQueueUrl: ({ QueueName }) => {
      const url = queues.get(QueueName);
      if (!url) throw Object.assign(new Error('The specified queue does not exist.'), { type: 'QueueDoesNotExist' });
      return { QueueUrl: url };
    },
    SendMessage: ({ MessageBody }) => {
      const m = enqueue(String(MessageBody));
      return { MessageId: m.messageId, MD5OfMessageBody: md5(m.body) };
    },
    SendMessageBatch: ({ Entries }) => ({
      Successful: (Entries as { Id: string; MessageBody: string }[]).map((e) => {
        const m = enqueue(e.MessageBody);
        return { Id: e.Id, MessageId: m.messageId, MD5OfMessageBody: md5(m.body) };
      }),
      Failed: [],
    }),
  };

  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      const action = actions[target];
      try {
        if (!action) throw Object.assign(new Error(`Unsupported action ${target}`), { type: 'InvalidAction' });
        const input = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(action(input)));
      } catch (error) {
        const type = (error as { type?: string }).type ?? 'InternalError';
        res
          .writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `AWS.SimpleQueueService.${type};Sender` })
          .end(JSON.stringify({ __type: `com.amazonaws.sqs#${type}`, message: (error as Error).message }));
      }
    })();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => ok());
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}`;
  return {
    url: base,
    server,
    deadLetters,
    drained: () => (waiting.length === 0 && inFlight === 0 ? Promise.resolve() : new Promise((ok) => idle.push(ok))),
    close: () =>
      new Promise<void>((ok) => {
        stopped = true;
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}
