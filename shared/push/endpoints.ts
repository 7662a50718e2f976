/**
 * SNS platform-endpoint lifecycle for a device's FCM registration token, following
 * the token-management pseudo code in the Amazon SNS developer guide ("Amazon SNS
 * management of Firebase Cloud Messaging endpoints"):
 *
 *   if no endpoint ARN stored → CreatePlatformEndpoint, store the ARN
 *   GetEndpointAttributes(ARN)
 *     NotFound                         → CreatePlatformEndpoint again, store the ARN
 *     token differs or Enabled=false   → SetEndpointAttributes(Token=latest, Enabled=true)
 *
 * Used at device check-in / registration (the app just read a fresh token from the
 * OS) and by the fan-out when a Publish says the endpoint is missing or disabled.
 */
import { CreatePlatformEndpointCommand, GetEndpointAttributesCommand, SetEndpointAttributesCommand } from '@aws-sdk/client-sns';
import { sns } from '../aws/sns';
import { ENV, once, requireEnv } from '../config';
import { releaseEndpointArn, storeEndpointArn } from '../db/devices';
import { snsErrorName } from './limits';

/** ARN of the FCM platform application every device endpoint belongs to. */
export const platformApplicationArn = once(() => requireEnv(ENV.platformApplicationArn));

/** The device attributes the endpoint lifecycle reads (pk `CUST#<customerId>`, sk `DEV#<serial>`). */
export interface EndpointDevice {
  customerId: string;
  serial: string;
  /** FCM registration token last reported by the device. */
  pushToken?: string;
  /** SNS platform endpoint ARN stored on the device. */
  endpointArn?: string;
}

export type EnsureEndpointResult =
  | {
      status: 'ready';
      endpointArn: string;
      /** created: first endpoint; recreated: the stored one was deleted; updated: token/Enabled repaired. */
      action: 'created' | 'recreated' | 'updated' | 'unchanged';
    }
  /** The device has never reported a push token. */
  | { status: 'no-token' }
  /** The endpoint is disabled with the very token we know (only with `reenableSameToken: false`). */
  | { status: 'disabled'; endpointArn: string };

export interface EnsureEndpointOptions {
  /**
   * Re-enable a disabled endpoint whose token equals the stored one. Right at
   * check-in the token was just read from the OS, so it is valid and re-enabling is
   * what AWS recommends. The fan-out passes `false`: there the token may be the
   * stale one FCM rejected, and re-enabling it would make the next Publish
   * "succeed" without reaching anybody.
   * @default true
   */
  reenableSameToken?: boolean;
}

/**
 * Makes sure the device has an enabled SNS endpoint carrying its current push
 * token, creating, re-creating or repairing it, and stores a new endpoint ARN on
 * the device row (through its owner, conditional on `endpointArn` only). SNS errors
 * other than NotFound on GetEndpointAttributes propagate to the caller; the SNS
 * client retries throttling and 5xx itself (SDK standard mode).
 */
export async function ensureEndpoint(device: EndpointDevice, options: EnsureEndpointOptions = {}): Promise<EnsureEndpointResult> {
  const token = device.pushToken;
  if (!token) return { status: 'no-token' };

  let endpointArn = device.endpointArn;
  let action: 'created' | 'unchanged' = 'unchanged';
  if (!endpointArn) {
    endpointArn = await storeEndpointArn(device.customerId, device.serial, await createEndpoint(device, token), undefined);
    action = 'created';
  }

  const attributes = await getEndpointAttributes(endpointArn);
  if (attributes === 'not-found') {
    const arn = await storeEndpointArn(device.customerId, device.serial, await createEndpoint(device, token), endpointArn);
    return { status: 'ready', endpointArn: arn, action: 'recreated' };
  }
  const owner = endpointOwner(device);
  if (attributes.CustomUserData !== undefined && attributes.CustomUserData !== owner) {
    // The same app token was registered by another device row (the tablet moved, or a token was
    // reported by the wrong device): take the endpoint over, so it never serves two rows.
    await sns.send(
      new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Token: token, Enabled: 'true', CustomUserData: owner } }),
    );
    await releaseEndpoint(attributes.CustomUserData, endpointArn);
    return { status: 'ready', endpointArn, action: action === 'created' ? 'created' : 'updated' };
  }
  const tokenMatches = attributes.Token === token;
  const enabled = attributes.Enabled === 'true';
  if (tokenMatches && enabled) return { status: 'ready', endpointArn, action };
  if (tokenMatches && !enabled && options.reenableSameToken === false) return { status: 'disabled', endpointArn };
  await sns.send(new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Token: token, Enabled: 'true' } }));
  return { status: 'ready', endpointArn, action: action === 'created' ? 'created' : 'updated' };
}

/**
 * CreatePlatformEndpoint, idempotent for the same token and attributes. When an
 * endpoint with this token already exists with other attributes (e.g. disabled, or
 * other CustomUserData) SNS refuses with InvalidParameter and names the existing
 * endpoint in the message; as AWS's sample code does, take that ARN and let the
 * attribute check that follows repair it.
 */
async function createEndpoint(device: EndpointDevice, token: string): Promise<string> {
  try {
    const out = await sns.send(
      new CreatePlatformEndpointCommand({
        PlatformApplicationArn: platformApplicationArn(),
        Token: token,
        // Lets support tell which device an endpoint belongs to in SNS delivery logs; not a secret.
        CustomUserData: endpointOwner(device),
      }),
    );
    if (!out?.EndpointArn) throw new Error('CreatePlatformEndpoint returned no EndpointArn');
    return out.EndpointArn;
  } catch (error) {
    const existing = existingEndpointArn(error);
    if (existing) return existing;
    throw error;
  }
}

/** The device an endpoint belongs to, as stored in its CustomUserData: `<customerId>/<serial>`. */
const endpointOwner = (device: Pick<EndpointDevice, 'customerId' | 'serial'>) => `${device.customerId}/${device.serial}`;

/** Forgets the endpoint on its previous owner's row (only if that row still points at it). */
async function releaseEndpoint(previousOwner: string, endpointArn: string): Promise<void> {
  const [customerId, serial] = previousOwner.split('/');
  if (customerId && serial) await releaseEndpointArn(customerId, serial, endpointArn);
}

const EXISTING_ENDPOINT = /Endpoint (arn:aws:sns:\S+) already exists with the same [Tt]oken/;

/** The ARN named by SNS's "already exists with the same Token, but different attributes" refusal, if that is the error. */
export function existingEndpointArn(error: unknown): string | undefined {
  if (snsErrorName(error) !== 'InvalidParameter') return undefined;
  const match = EXISTING_ENDPOINT.exec((error as Error).message ?? '');
  return match?.[1]?.replace(/[.,;]+$/, '');
}

async function getEndpointAttributes(endpointArn: string): Promise<Record<string, string> | 'not-found'> {
  try {
    const out = await sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn }));
    return out?.Attributes ?? {};
  } catch (error) {
    if (snsErrorName(error) === 'NotFound') return 'not-found';
    throw error;
  }
}
