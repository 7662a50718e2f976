import { appendDeviceNote, formatNote, markEndpointToken, noteWithoutTime, type NoteText } from '../../shared/db/devices';
import { logger } from '../../shared/observability';
import { ensureEndpoint } from '../../shared/push/endpoints';
import { snsErrorName } from '../../shared/push/limits';

/** The device fields that say whether its endpoint is current. */
export interface EndpointState {
  pushToken?: string;
  endpointArn?: string;
  /** The token the endpoint was last made to carry (set after a successful refresh). */
  endpointToken?: string;
}

/**
 * True when the SNS endpoint must be created or repaired: a token is known and no
 * endpoint exists yet, or the token changed. "Changed" is measured against the
 * token the endpoint was last refreshed for (`endpointToken`), not the last one
 * reported, so a refresh that failed (SNS down) is tried again at the next
 * check-in instead of leaving the endpoint on the old token. A row written before
 * `endpointToken` existed is refreshed once.
 */
export const endpointNeedsRefresh = (token: string | undefined, previous: EndpointState | undefined) =>
  Boolean(token) && (!previous?.endpointArn || previous.endpointToken !== token);

/**
 * Creates or repairs the device's SNS endpoint for its current token. SNS trouble
 * never fails the device's request (a push is only a wake-up, DEV-7): it is logged
 * and written as a grid note, so the admin knows why START UPDATE may not arrive,
 * and the next check-in tries again (the endpoint is still missing or stale).
 */
export async function refreshEndpoint(
  device: { customerId: string; serial: string; pushToken: string; endpointArn?: string },
  previousNotes: readonly string[] = [],
): Promise<boolean> {
  try {
    await ensureEndpoint(device);
    await markEndpointToken(device.customerId, device.serial, device.pushToken);
    return true;
  } catch (error) {
    const reason = snsErrorName(error);
    logger.warn('push endpoint refresh failed', { serial: device.serial, customerId: device.customerId, reason });
    const note: NoteText = {
      it: `Registrazione notifiche push non riuscita (${reason}): verrà ritentata al prossimo collegamento`,
      en: `Push notification registration failed (${reason}): it will be retried at the next check-in`,
    };
    // A device checking in every few minutes during an SNS outage must not flood the grid with the same note.
    const last = previousNotes.at(-1);
    if (last !== undefined && noteWithoutTime(last) === noteWithoutTime(formatNote(note))) return false;
    await appendDeviceNote(device.customerId, device.serial, note).catch((noteError: unknown) =>
      logger.warn('could not write the endpoint note', { serial: device.serial, error: noteError as Error }),
    );
    return false;
  }
}
