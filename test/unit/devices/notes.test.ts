import { describe, expect, it } from 'vitest';
import { formatNote, noteWithoutTime } from '../../../shared/db/devices';

describe('grid notes', () => {
  it('writes the time of the event (UTC, to the minute), the Italian text, then the English one', () => {
    const note = formatNote({ it: 'Dispositivo bloccato', en: 'Device locked' }, new Date('2025-03-12T10:15:42.123Z'));
    expect(note).toBe('2025-03-12 10:15 UTC Dispositivo bloccato / Device locked');
  });

  it('accepts the event time as an ISO string', () => {
    expect(formatNote({ it: 'a', en: 'b' }, '2025-12-31T23:59:59.999Z')).toBe('2025-12-31 23:59 UTC a / b');
  });

  it('tells two notes apart by their text only, whatever their time', () => {
    const text = { it: 'Registrazione notifiche push non riuscita', en: 'Push notification registration failed' };
    expect(noteWithoutTime(formatNote(text, new Date('2025-01-01T08:00:00Z')))).toBe(
      noteWithoutTime(formatNote(text, new Date('2025-06-01T18:30:00Z'))),
    );
  });
});
