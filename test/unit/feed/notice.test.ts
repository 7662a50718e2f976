import { describe, expect, it } from 'vitest';
import type { NextRelease } from '../../../shared/feed/next-release';
import {
  decideNotice,
  feedUnreachableNotice,
  NOTICE_COLOURS,
  NOTICE_KINDS,
  type FeedSessionState,
  type Notice,
  type NoticeInput,
} from '../../../shared/feed/notice';

const NOTES = 'https://wiki.alturas.it/mophas-fix/03.02.00_040';
type OfferedRelease = { version: string; requiresConfirmationCode: boolean; notesUrl: string };
const RELEASE: OfferedRelease = { version: '03.02.00_040', requiresConfirmationCode: false, notesUrl: NOTES };
const update = (requiresConfirmationCode = false): NextRelease<OfferedRelease> => ({
  kind: 'update',
  release: { ...RELEASE, requiresConfirmationCode },
});

const input = (over: Partial<NoticeInput> = {}): NoticeInput => ({
  next: update(),
  confirmationGiven: false,
  desktopDownloadVerified: false,
  ...over,
});

const actionIds = (n: Notice) => n.actions.map((a) => a.id);

describe('decideNotice (FEED-4)', () => {
  describe('without an open update session', () => {
    it('shows nothing when the latest version is installed', () => {
      const n = decideNotice(input({ next: { kind: 'up-to-date' } }));
      expect(n).toEqual({ kind: 'none', colour: 'none', text: null, actions: [] });
    });

    it('shows nothing when the installed version is newer than every release', () => {
      const n = decideNotice(input({ next: { kind: 'ahead', latest: RELEASE } }));
      expect(n.kind).toBe('none');
    });

    it('shows yellow "download in progress" while the installer is not downloaded and verified', () => {
      const n = decideNotice(input());
      expect(n).toMatchObject({ kind: 'download-in-progress', colour: 'yellow', version: '03.02.00_040', actions: [] });
      expect(n.text?.it).toContain('download del pacchetto di installazione in corso');
      expect(n.text?.en).toMatch(/being downloaded/);
    });

    it('shows green "update ready" with Gestione aggiornamento and Dettagli aggiornamento once the installer is verified', () => {
      const n = decideNotice(input({ desktopDownloadVerified: true }));
      expect(n).toMatchObject({ kind: 'update-ready', colour: 'green', version: '03.02.00_040' });
      expect(n.actions.map((a) => a.label.it)).toEqual(['Gestione aggiornamento', 'Dettagli aggiornamento']);
      // FEED-6: managing is for admins; the manuals link is for everyone.
      expect(n.actions).toEqual([
        expect.objectContaining({ id: 'manage-update', adminOnly: true }),
        expect.objectContaining({ id: 'update-details', adminOnly: false, url: NOTES }),
      ]);
      expect(n.text?.it).toContain('Gestione aggiornamento');
      expect(n.text?.it).toContain('Dettagli aggiornamento');
    });

    it('shows white "contact support" when the release needs a confirmation code not yet given', () => {
      const n = decideNotice(input({ next: update(true) }));
      expect(n).toMatchObject({ kind: 'contact-support', colour: 'white', version: '03.02.00_040' });
      expect(n.text?.it).toMatch(/codice di conferma/);
      expect(n.text?.it).toMatch(/assistenza/);
      expect(actionIds(n)).toEqual(['manage-update', 'update-details']);
    });

    it('follows the download state once the confirmation code was given', () => {
      expect(decideNotice(input({ next: update(true), confirmationGiven: true })).kind).toBe('download-in-progress');
      expect(decideNotice(input({ next: update(true), confirmationGiven: true, desktopDownloadVerified: true })).kind).toBe('update-ready');
    });

    it('ignores a confirmation flag for a release that needs no code', () => {
      expect(decideNotice(input({ confirmationGiven: true, desktopDownloadVerified: true })).kind).toBe('update-ready');
    });

    it.each<FeedSessionState>(['available', 'concluded'])('treats a session in state %s as not open: the catalog decides', (state) => {
      expect(decideNotice(input({ session: { state }, desktopDownloadVerified: true })).kind).toBe('update-ready');
      expect(decideNotice(input({ session: { state }, next: { kind: 'up-to-date' } })).kind).toBe('none');
    });
  });

  describe('with an open update session', () => {
    it.each<FeedSessionState>(['preparing', 'updating'])(
      'shows yellow "update in progress — stop working and exit" to every user in state %s',
      (state) => {
        const n = decideNotice(input({ session: { state, version: '03.02.00_040' } }));
        expect(n).toMatchObject({ kind: 'update-in-progress', colour: 'yellow', version: '03.02.00_040' });
        expect(n.text?.it).toMatch(/sospendere la normale attività e uscire/);
        expect(n.text?.en).toMatch(/stop working and exit/);
      },
    );

    it('lets the admin re-enter the management window in phase 1 but offers nothing while the installer runs', () => {
      expect(actionIds(decideNotice(input({ session: { state: 'preparing' } })))).toEqual(['manage-update']);
      expect(actionIds(decideNotice(input({ session: { state: 'updating' } })))).toEqual([]);
    });

    it('shows green "desktop updated — now update the mobile devices" with Fine aggiornamento in phase 3', () => {
      const n = decideNotice(input({ session: { state: 'mobile-update' }, next: { kind: 'up-to-date' } }));
      expect(n).toMatchObject({ kind: 'desktop-updated', colour: 'green' });
      expect(n.text?.it).toMatch(/dispositivi mobile/);
      expect(n.actions).toEqual([
        expect.objectContaining({ id: 'finish-update', adminOnly: true, label: { it: 'Fine aggiornamento', en: 'Finish update' } }),
      ]);
    });

    it.each<FeedSessionState>(['failed', 'reactivated'])('shows red "update failed" in state %s until support resolves it', (state) => {
      const n = decideNotice(input({ session: { state } }));
      expect(n).toMatchObject({ kind: 'update-failed', colour: 'red' });
      expect(n.text?.it).toMatch(/modo anomalo/);
      expect(n.text?.it).toMatch(/assistenza/);
      expect(actionIds(n)).toEqual(['reactivate-devices', 'send-report']);
    });
  });

  describe('precedence: session first, then confirmation code, then download state', () => {
    const everyCatalogCase: Partial<NoticeInput>[] = [
      { next: { kind: 'up-to-date' } },
      { next: update(true) },
      { next: update(), desktopDownloadVerified: true },
      { next: update() },
    ];
    const bySession: [FeedSessionState, Notice['kind']][] = [
      ['preparing', 'update-in-progress'],
      ['updating', 'update-in-progress'],
      ['mobile-update', 'desktop-updated'],
      ['failed', 'update-failed'],
      ['reactivated', 'update-failed'],
    ];

    it.each(bySession)('an open session in state %s decides the notice whatever the catalog says', (state, kind) => {
      for (const c of everyCatalogCase) expect(decideNotice(input({ ...c, session: { state } })).kind).toBe(kind);
    });

    it('a missing confirmation code beats a verified download', () => {
      expect(decideNotice(input({ next: update(true), desktopDownloadVerified: true })).kind).toBe('contact-support');
    });
  });

  it('never returns the client-only blue notice', () => {
    const states: (FeedSessionState | undefined)[] = [
      undefined,
      'available',
      'preparing',
      'updating',
      'mobile-update',
      'failed',
      'reactivated',
      'concluded',
    ];
    const nexts = [{ kind: 'up-to-date' as const }, update(), update(true)];
    for (const state of states)
      for (const next of nexts)
        for (const confirmationGiven of [false, true])
          for (const desktopDownloadVerified of [false, true]) {
            const n = decideNotice({ next, session: state ? { state } : undefined, confirmationGiven, desktopDownloadVerified });
            expect(n.kind).not.toBe('feed-unreachable');
            expect(n.colour).toBe(NOTICE_COLOURS[n.kind]);
            if (n.kind !== 'none') {
              expect(n.text?.it.length).toBeGreaterThan(10);
              expect(n.text?.en.length).toBeGreaterThan(10);
            }
          }
  });

  it('gives the client a blue "feed unreachable" notice that says work can go on', () => {
    const n = feedUnreachableNotice();
    expect(n).toMatchObject({ kind: 'feed-unreachable', colour: 'blue', actions: [] });
    expect(n.text?.it).toMatch(/proseguire con il lavoro/);
    expect(n.text?.en).toMatch(/keep working/);
  });

  it('has a colour for every notice kind', () => {
    expect(Object.keys(NOTICE_COLOURS).sort()).toEqual([...NOTICE_KINDS].sort());
  });
});
