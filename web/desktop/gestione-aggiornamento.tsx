/**
 * "Gestione aggiornamento": the grid of enabled devices with its ten columns
 * (plus Versione installata in phase 3, red rows that also say "non
 * aggiornato", the three filters), refreshed every 30 s with If-None-Match —
 * a 304 changes nothing on the page — and every button of the manual with its
 * dialogs. The server's answer is the state: a button exists because
 * `allowedActions` lists it and is enabled because `buttons` says so; after any
 * action, and after any 409, the grid is read again and redrawn.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type ConcludeAnswer, type ForceAnswer, type Grid, type GridFilter, type GridRow, type PushAnswer, useApi } from '../common/api';
import { Dialog } from '../common/dialog';
import { formatTime, formatDateTime, useT } from '../common/i18n';
import { operatorName, noteText } from '../common/format';
import { type Column, DataTable } from '../common/grid';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';
import { BloccoDispositivo } from './blocco-dispositivo';
import { DisabilitaDispositivo } from './disabilita-dispositivo';
import { type PushCommandName, RiepilogoNotifiche } from './riepilogo-notifiche';
import { SegnalazioneAssistenza } from './segnalazione-assistenza';

/** The manual's refresh period (standard ogni 30 sec.). */
export const GRID_POLL_MS = 30_000;

type ForceStep = Extract<ForceAnswer, { confirmationRequired: true }>;
type ConcludeStep = Extract<ConcludeAnswer, { confirmationRequired: true }>;

type DialogState =
  | { kind: 'confirm-start' }
  | { kind: 'confirm-avvia' }
  | { kind: 'force-1'; step: ForceStep }
  | { kind: 'force-2'; token: string }
  | { kind: 'conclude-1'; step: ConcludeStep }
  | { kind: 'conclude-2'; token: string }
  | { kind: 'summary'; command: PushCommandName; answer: PushAnswer }
  | { kind: 'lock'; row: GridRow; action: 'lock' | 'unlock' }
  | { kind: 'disable'; row: GridRow }
  | { kind: 'report' };

export interface GestioneAggiornamentoProps {
  /** Back to the notice (Chiudi, or the procedure concluded), with a message to show there. */
  readonly onClose: (message?: string) => void;
}

export function GestioneAggiornamento(props: GestioneAggiornamentoProps) {
  const api = useApi();
  const { lang, t } = useT();
  const toProblem = useProblems();
  const [grid, setGrid] = useState<Grid>();
  const [dataAt, setDataAt] = useState<Date>();
  const [filter, setFilter] = useState<GridFilter>('all');
  const [selected, setSelected] = useState<string>();
  const [dialog, setDialog] = useState<DialogState>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [unreachable, setUnreachable] = useState<Problem>();
  const [info, setInfo] = useState<string>();
  const etag = useRef<string>();
  const sequence = useRef(0);
  const measuring = useRef(false);

  /** Reads the grid: with the ETag for the 30-second poll (304 → nothing happens), without it to redraw. */
  const load = async (redraw: boolean) => {
    const mine = ++sequence.current;
    try {
      const answer = await api.grid(filter, redraw ? undefined : etag.current);
      if (mine !== sequence.current) return;
      setUnreachable(undefined);
      if (answer.notModified) return;
      etag.current = answer.etag;
      performance.mark('grid-data');
      measuring.current = true;
      setGrid(answer.grid);
      setDataAt(new Date());
    } catch (error) {
      if (mine !== sequence.current) return;
      const p = toProblem(error);
      if (p.kind === 'unreachable') setUnreachable(p);
      else setProblem(p);
    }
  };

  useEffect(() => {
    etag.current = undefined;
    void load(true);
    const timer = setInterval(() => void load(false), GRID_POLL_MS);
    return () => clearInterval(timer);
  }, [filter]);

  // "Rendered after the data arrive": the frame after the commit that drew them (npm run bench reads the measure).
  useLayoutEffect(() => {
    if (!measuring.current) return;
    measuring.current = false;
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark('grid-painted');
        performance.measure('grid-render', 'grid-data', 'grid-painted');
      }),
    );
  }, [grid]);

  /** Runs a button's call; whatever happens, the grid is read again and redrawn. */
  const act = async (call: () => Promise<void>) => {
    setBusy(true);
    setProblem(undefined);
    setInfo(undefined);
    try {
      await call();
    } catch (error) {
      setDialog(undefined);
      const p = toProblem(error);
      if (p.kind === 'unreachable') setUnreachable(p);
      else setProblem(p);
    } finally {
      setBusy(false);
      await load(true);
    }
  };

  if (!grid) {
    return (
      <section class="window" aria-labelledby="window-title">
        <h2 id="window-title">{t('window.title')}</h2>
        {unreachable ? <ProblemBanner problem={unreachable} onRetry={() => void load(true)} /> : <p role="status">{t('common.loading')}</p>}
        {problem && <ProblemBanner problem={problem} />}
        <div class="window-footer">
          <button type="button" onClick={() => props.onClose()}>
            {t('common.close')}
          </button>
        </div>
      </section>
    );
  }

  const { session } = grid;
  const allowed = new Set(grid.allowedActions);
  const phase3 = session.state === 'mobile-update';
  const row = grid.rows.find((r) => r.serial === selected);
  const red = (r: GridRow) => phase3 && r.notOnDesktopVersion;
  const flag = (on: boolean) => (on ? `✓ ${t('common.yesCell')}` : t('common.noCell'));
  const none = t('common.none');
  const columns: Column<GridRow>[] = [
    { id: 'serial', header: t('grid.serial'), cell: (r) => r.serial, width: 132 },
    { id: 'device', header: t('grid.device'), cell: (r) => r.device ?? none, width: 120 },
    { id: 'operator', header: t('grid.operator'), cell: (r) => operatorName(r.operator, lang), width: 140 },
    { id: 'phone', header: t('grid.phone'), cell: (r) => r.phone ?? none, width: 112 },
    { id: 'lastSync', header: t('grid.lastSync'), cell: (r) => formatDateTime(lang, r.lastSync), width: 112 },
    { id: 'notifications', header: t('grid.notificationsEnabled'), cell: (r) => flag(r.notificationsEnabled), class: 'flag', width: 84 },
    { id: 'sent', header: t('grid.notificationSent'), cell: (r) => flag(r.notificationSent), class: 'flag', width: 84 },
    { id: 'blocked', header: t('grid.blocked'), cell: (r) => flag(r.blocked), class: 'flag', width: 76 },
    { id: 'awaiting', header: t('grid.awaiting'), cell: (r) => flag(r.awaitingUpdate), class: 'flag', width: 108 },
    ...(phase3
      ? [
          {
            id: 'installed',
            header: t('grid.installed'),
            width: 170,
            cell: (r: GridRow) => (red(r) ? `${r.installedVersion ?? none} — ${t('grid.notUpdated')}` : (r.installedVersion ?? none)),
          },
        ]
      : []),
    { id: 'notes', header: t('grid.notes'), cell: (r) => noteText(r.notes.at(-1), lang), class: 'notes' },
  ];

  // Row resend: START UPDATE while phase 1 buttons are offered, END UPDATE while it is (phase 3).
  const resendCommand: PushCommandName | undefined = allowed.has('send-end-update')
    ? 'END_UPDATE'
    : allowed.has('start-update')
      ? 'START_UPDATE'
      : undefined;
  const push = (command: PushCommandName, call: () => Promise<PushAnswer>) =>
    act(async () => {
      const answer = await call();
      setDialog({ kind: 'summary', command, answer });
    });

  const deviceLabel = row ? `${row.serial} ${operatorName(row.operator, lang)}` : '';

  return (
    <section class="window" aria-labelledby="window-title">
      <h2 id="window-title">
        {t('window.title')} – {t(`window.subtitle.${session.state}`)}
      </h2>
      <p class="phase">
        <strong>{t(`phase.${session.state}`)}</strong>
        {session.forced && ` · ${t('window.forced')}`}
        {' · '}
        {t('window.status', {
          target: session.targetVersion ?? none,
          desktop: grid.desktopVersion ?? none,
          devices: grid.counts.devices,
          awaiting: grid.counts.awaiting,
        })}
        {phase3 && t('window.statusUpdated', { updated: grid.counts.updated })}
      </p>
      <p class="intro">{t(`window.intro.${session.state}`)}</p>
      {session.supportCaseId && <p class="info">{t('window.caseFiled', { caseId: session.supportCaseId })}</p>}
      {grid.releaseWithdrawn && <p class="warning">{grid.releaseWithdrawn.message[lang]}</p>}
      {unreachable && <ProblemBanner problem={unreachable} onRetry={() => void load(true)} />}
      {problem && <ProblemBanner problem={problem} />}
      {info && (
        <p class="info" role="status">
          {info}
        </p>
      )}

      <fieldset class="toolbar">
        <legend class="sr-only">{t('window.actions')}</legend>
        {allowed.has('send-start-update') && (
          <button type="button" disabled={busy} onClick={() => setDialog({ kind: 'confirm-start' })}>
            {t('btn.sendStart')}
          </button>
        )}
        {allowed.has('start-update') && (
          <button
            type="button"
            class="primary"
            disabled={busy || !grid.buttons.startUpdate}
            onClick={() => setDialog({ kind: 'confirm-avvia' })}
          >
            {t('btn.start')}
          </button>
        )}
        {allowed.has('force-update') && (
          <button
            type="button"
            disabled={busy || !grid.buttons.forceUpdate}
            onClick={() =>
              act(async () => {
                const answer = await api.forceUpdate();
                if ('confirmationRequired' in answer) setDialog({ kind: 'force-1', step: answer });
              })
            }
          >
            {t('btn.force')}
          </button>
        )}
        {allowed.has('close-update') && (
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() =>
              act(async () => {
                const answer = await api.closeUpdate();
                setInfo(t('closeUpdate.done'));
                setDialog({ kind: 'summary', command: 'ERROR_UPDATE', answer });
              })
            }
          >
            {t('btn.closeUpdate')}
          </button>
        )}
        {allowed.has('send-end-update') && (
          <button type="button" disabled={busy} onClick={() => push('END_UPDATE', () => api.sendEndUpdate())}>
            {t('btn.sendEnd')}
          </button>
        )}
        {allowed.has('conclude') && (
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() =>
              act(async () => {
                const answer = await api.conclude();
                if ('confirmationRequired' in answer) setDialog({ kind: 'conclude-1', step: answer });
                else props.onClose(t('conclude.done'));
              })
            }
          >
            {t('btn.conclude')}
          </button>
        )}
        {allowed.has('reactivate-devices') && (
          <button type="button" class="primary" disabled={busy} onClick={() => push('ERROR_UPDATE', () => api.reactivate())}>
            {t('btn.reactivate')}
          </button>
        )}
        {allowed.has('report-to-support') && (
          <button type="button" disabled={busy || Boolean(session.supportCaseId)} onClick={() => setDialog({ kind: 'report' })}>
            {t('btn.report')}
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => void load(false)}>
          {t('btn.refresh')}
        </button>
      </fieldset>

      {phase3 && (
        <fieldset class="filters">
          <legend>{t('filter.legend')}</legend>
          {(['all', 'updated', 'not-updated'] as const).map((f) => (
            <label key={f}>
              <input type="radio" name="grid-filter" checked={filter === f} onChange={() => setFilter(f)} /> {t(`filter.${f}`)}
            </label>
          ))}
        </fieldset>
      )}

      <DataTable
        caption={t('grid.caption')}
        columns={columns}
        rows={grid.rows}
        rowKey={(r) => r.serial}
        rowClass={(r) => (red(r) ? 'row-not-updated' : undefined)}
        selected={row?.serial}
        onSelect={setSelected}
        selectLabel={(r) => t('grid.selectRow', { serial: r.serial })}
        selectHeader={t('grid.select')}
        empty={t('grid.empty')}
      />
      {dataAt && <p class="hint">{t('window.dataAt', { time: formatTime(lang, dataAt) })}</p>}

      <fieldset class="toolbar">
        <legend class="sr-only">{t('window.rowActions')}</legend>
        <span class="selection" aria-live="polite">
          {row ? t('window.selected', { device: deviceLabel }) : t('window.noneSelected')}
          {row?.notes.length ? ` — ${t('window.lastNote', { note: noteText(row.notes.at(-1), lang) })}` : ''}
        </span>
        {resendCommand && (
          <button
            type="button"
            disabled={busy || !row}
            onClick={() =>
              row &&
              push(resendCommand, () => (resendCommand === 'END_UPDATE' ? api.sendEndUpdate(row.serial) : api.sendStartUpdate(row.serial)))
            }
          >
            {t('btn.resendRow')}
          </button>
        )}
        <button type="button" disabled={busy || !row} onClick={() => row && setDialog({ kind: 'lock', row, action: 'lock' })}>
          {t('btn.lock')}
        </button>
        <button type="button" disabled={busy || !row} onClick={() => row && setDialog({ kind: 'lock', row, action: 'unlock' })}>
          {t('btn.unlock')}
        </button>
        {allowed.has('disable-device') && (
          <button type="button" disabled={busy || !row} onClick={() => row && setDialog({ kind: 'disable', row })}>
            {t('btn.disable')}
          </button>
        )}
      </fieldset>

      <div class="window-footer">
        <button type="button" onClick={() => props.onClose()}>
          {t('common.close')}
        </button>
      </div>

      {dialog && renderDialog(dialog)}
    </section>
  );

  function renderDialog(d: DialogState) {
    const close = () => setDialog(undefined);
    switch (d.kind) {
      case 'confirm-start':
        return (
          <Dialog
            title={t('confirmStart.title')}
            role="alertdialog"
            busy={busy}
            busyText={t('common.busy')}
            onCancel={close}
            actions={[
              { label: t('common.yes'), onClick: () => push('START_UPDATE', () => api.sendStartUpdate()), primary: true },
              { label: t('common.no'), onClick: close, autoFocus: true },
            ]}
          >
            <p>{t('confirmStart.backup')}</p>
            <p>{t('confirmStart.text')}</p>
            <p>
              <strong>{t('confirmStart.question')}</strong>
            </p>
          </Dialog>
        );
      case 'confirm-avvia':
        return (
          <Dialog
            title={t('confirmAvvia.title')}
            busy={busy}
            busyText={t('common.busy')}
            onCancel={close}
            actions={[
              {
                label: t('btn.start.confirm'),
                primary: true,
                onClick: () =>
                  act(async () => {
                    await api.startUpdate();
                    close();
                  }),
              },
              { label: t('common.cancel'), onClick: close, autoFocus: true },
            ]}
          >
            <p>{t('confirmAvvia.text')}</p>
          </Dialog>
        );
      case 'force-1':
        return (
          <Dialog
            title={t('force.title')}
            role="alertdialog"
            wide
            onCancel={close}
            actions={[
              { label: t('btn.force.confirm'), primary: true, onClick: () => setDialog({ kind: 'force-2', token: d.step.confirmToken }) },
              { label: t('common.cancel'), onClick: close, autoFocus: true },
            ]}
          >
            <p>{t('force.text')}</p>
            <p class="warning">{d.step.warning[lang]}</p>
            <p>{t('force.atRisk')}</p>
            <ul>
              {d.step.notAwaiting.map((n) => (
                <li key={n.serial}>
                  {n.serial} {operatorName(n.operator, lang)}
                </li>
              ))}
            </ul>
          </Dialog>
        );
      case 'force-2':
        return (
          <Dialog
            title={t('force.confirmTitle')}
            role="alertdialog"
            busy={busy}
            busyText={t('common.busy')}
            onCancel={close}
            actions={[
              {
                label: t('btn.start.confirm'),
                primary: true,
                onClick: () =>
                  act(async () => {
                    await api.forceUpdate(d.token);
                    close();
                  }),
              },
              { label: t('common.cancel'), onClick: close, autoFocus: true },
            ]}
          >
            <p>{t('force.confirmText')}</p>
          </Dialog>
        );
      case 'conclude-1':
        return (
          <Dialog
            title={t('conclude.title')}
            role="alertdialog"
            wide
            onCancel={close}
            actions={[
              { label: t('common.ok'), primary: true, onClick: () => setDialog({ kind: 'conclude-2', token: d.step.confirmToken }) },
              { label: t('common.cancel'), onClick: close, autoFocus: true },
            ]}
          >
            <p class="warning">{d.step.warning[lang]}</p>
            <p>{t('conclude.notUpdated')}</p>
            <ul>
              {d.step.notUpdated.map((n) => (
                <li key={n.serial}>
                  {n.serial} {operatorName(n.operator, lang)} — {n.installedVersion ?? none}
                </li>
              ))}
            </ul>
          </Dialog>
        );
      case 'conclude-2':
        return (
          <Dialog
            title={t('conclude.confirmTitle')}
            role="alertdialog"
            busy={busy}
            busyText={t('common.busy')}
            onCancel={close}
            actions={[
              {
                label: t('common.ok'),
                primary: true,
                onClick: () =>
                  act(async () => {
                    await api.conclude(d.token);
                    close();
                    props.onClose(t('conclude.done'));
                  }),
              },
              { label: t('common.cancel'), onClick: close, autoFocus: true },
            ]}
          >
            <p>{t('conclude.confirmText')}</p>
          </Dialog>
        );
      case 'summary':
        return <RiepilogoNotifiche command={d.command} answer={d.answer} onClose={close} />;
      case 'lock':
        return (
          <BloccoDispositivo
            device={d.row}
            action={d.action}
            onClose={() => {
              close();
              void load(true);
            }}
          />
        );
      case 'disable':
        return (
          <DisabilitaDispositivo
            device={d.row}
            onClose={(result) => {
              close();
              if (result.problem) setProblem(result.problem);
              if (result.done) setInfo(t('disable.done', { serial: d.row.serial }));
              void load(true);
            }}
          />
        );
      case 'report':
        return (
          <SegnalazioneAssistenza
            onProblem={(p) => {
              close();
              setProblem(p);
              void load(true);
            }}
            onClose={(caseId) => {
              close();
              if (caseId) setInfo(t('report.done', { caseId }));
              void load(true);
            }}
          />
        );
    }
  }
}
