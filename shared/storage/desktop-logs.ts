import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../aws/s3';
import { bucketName } from '../config';

/*
 * The desktop's log of an abnormal termination (SES-6), one S3 object per report
 * under logs/<customerId>/<sessionId>/: the session function writes it, the support
 * console reads its tail. Keys come from here only, never from a request.
 */

/** Stores the log a failed update sent; returns the key the session keeps (`failureLogKey`). */
export async function putDesktopLog(customerId: string, sessionId: string, text: string): Promise<string> {
  const key = `logs/${customerId}/${sessionId}/${Date.now()}.log`;
  await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: key, Body: text, ContentType: 'text/plain; charset=utf-8' }));
  return key;
}

/** True when `key` is one of this customer's logs (a stored key is checked before it is read). */
export const isCustomerLogKey = (customerId: string, key: string | undefined): key is string =>
  key?.startsWith(`logs/${customerId}/`) ?? false;

/** The last `tailBytes` of a stored log, and whether the log is longer than that. */
export async function readDesktopLogTail(key: string, tailBytes: number): Promise<{ text: string; truncated: boolean }> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucketName(), Key: key, Range: `bytes=-${tailBytes}` }));
  const total = Number(/\/(\d+)$/.exec(object.ContentRange ?? '')?.[1] ?? object.ContentLength ?? 0);
  const text = (await object.Body?.transformToString('utf8')) ?? '';
  return { text, truncated: total > tailBytes };
}
