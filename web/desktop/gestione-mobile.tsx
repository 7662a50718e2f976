/**
 * "Gestione Mobile" — Gestione autorizzazioni tablet: every authorised tablet of
 * the customer (shared/tablets/authorisation.ts), enabled or not, registered or
 * not yet, with its installed version and last sync; enable, disable (double
 * confirmation) and SBLOCCO DEVICE, also outside an update. Adding and editing
 * tablets is on the desktop's CLI and the support API (docs/clients.md).
 */
import { useEffect, useState } from 'preact/hooks';
import { type MobileDeviceList, type MobileDeviceRow, useApi } from '../common/api';
import { formatDateTime, useT } from '../common/i18n';
import { operatorName } from '../common/format';
import { type Column, DataTable } from '../common/grid';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';
import { BloccoDispositivo } from './blocco-dispositivo';
import { DisabilitaDispositivo } from './disabilita-dispositivo';

type DialogState = { kind: 'unlock'; row: MobileDeviceRow } | { kind: 'disable'; row: MobileDeviceRow };

export function GestioneMobile(props: { onClose: () => void }) {
  const api = useApi();
  const { lang, t } = useT();
  const toProblem = useProblems();
  const [list, setList] = useState<MobileDeviceList>();
  const [selected, setSelected] = useState<string>();
  const [dialog, setDialog] = useState<DialogState>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [info, setInfo] = useState<string>();

  const load = async () => {
    try {
      setList(await api.devices());
    } catch (error) {
      setProblem(toProblem(error));
    }
  };
  useEffect(() => void load(), []);

  const enable = async (row: MobileDeviceRow) => {
    setBusy(true);
    setProblem(undefined);
    setInfo(undefined);
    try {
      await api.enableDevice(row.serial);
      setInfo(t('enable.done', { serial: row.serial }));
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
      await load();
    }
  };

  const none = t('common.none');
  const flag = (on: boolean) => (on ? `✓ ${t('common.yesCell')}` : t('common.noCell'));
  const columns: Column<MobileDeviceRow>[] = [
    { id: 'serial', header: t('grid.serial'), cell: (r) => r.serial, width: 140 },
    { id: 'device', header: t('grid.device'), cell: (r) => r.model ?? none, width: 190 },
    { id: 'operator', header: t('grid.operator'), cell: (r) => operatorName(r.operator, lang) },
    { id: 'phone', header: t('grid.phone'), cell: (r) => r.phone ?? none, width: 130 },
    {
      id: 'installed',
      header: t('grid.installed'),
      // A tablet not registered yet has no version to compare.
      cell: (r) =>
        r.installedVersion && r.notOnDesktopVersion ? `${r.installedVersion} — ${t('grid.notUpdated')}` : (r.installedVersion ?? none),
    },
    { id: 'lastSync', header: t('grid.lastSync'), cell: (r) => formatDateTime(lang, r.lastSync), width: 130 },
    { id: 'registered', header: t('grid.registered'), cell: (r) => flag(r.registered), class: 'flag', width: 90 },
    { id: 'enabled', header: t('grid.enabled'), cell: (r) => flag(r.enabled), class: 'flag', width: 90 },
    { id: 'blocked', header: t('grid.blocked'), cell: (r) => flag(r.blocked), class: 'flag', width: 90 },
  ];
  const row = list?.devices.find((d) => d.serial === selected);

  return (
    <section class="window" aria-labelledby="mobile-title">
      <h2 id="mobile-title">
        {t('mobile.title')} – {t('mobile.subtitle')}
      </h2>
      <p class="intro">{t('mobile.intro')}</p>
      {list && <p class="phase">{t('mobile.desktopVersion', { version: list.desktopVersion ?? none })}</p>}
      {problem && <ProblemBanner problem={problem} onRetry={problem.kind === 'unreachable' ? () => void load() : undefined} />}
      {info && (
        <p class="info" role="status">
          {info}
        </p>
      )}
      {list ? (
        <DataTable
          caption={t('mobile.caption')}
          columns={columns}
          rows={list.devices}
          rowKey={(r) => r.serial}
          rowClass={(r) => (r.enabled ? undefined : 'row-disabled')}
          selected={row?.serial}
          onSelect={setSelected}
          selectLabel={(r) => t('grid.selectRow', { serial: r.serial })}
          selectHeader={t('grid.select')}
          empty={t('grid.empty')}
        />
      ) : (
        !problem && <p role="status">{t('common.loading')}</p>
      )}
      <fieldset class="toolbar">
        <legend class="sr-only">{t('window.rowActions')}</legend>
        <span class="selection" aria-live="polite">
          {row ? t('window.selected', { device: `${row.serial} ${operatorName(row.operator, lang)}` }) : t('window.noneSelected')}
        </span>
        <button type="button" disabled={busy || !row || row.enabled} onClick={() => row && void enable(row)}>
          {t('btn.enable')}
        </button>
        <button type="button" disabled={busy || !row || !row.enabled} onClick={() => row && setDialog({ kind: 'disable', row })}>
          {t('btn.disable')}
        </button>
        <button type="button" disabled={busy || !row || !row.enabled} onClick={() => row && setDialog({ kind: 'unlock', row })}>
          {t('btn.unlockDevice')}
        </button>
      </fieldset>
      <div class="window-footer">
        <button type="button" onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
      {dialog?.kind === 'unlock' && (
        <BloccoDispositivo
          device={dialog.row}
          action="unlock"
          onClose={() => {
            setDialog(undefined);
            void load();
          }}
        />
      )}
      {dialog?.kind === 'disable' && (
        <DisabilitaDispositivo
          device={dialog.row}
          onClose={(result) => {
            setDialog(undefined);
            if (result.problem) setProblem(result.problem);
            if (result.done) setInfo(t('disable.done', { serial: dialog.row.serial }));
            void load();
          }}
        />
      )}
    </section>
  );
}
