/**
 * "Disabilita dispositivo" (SES-8): the device loses its Abilitato flag, can no
 * longer work and leaves the grid, so the manual asks a double confirmation:
 * the server's warning (first call, which returns a confirm token), then a
 * second OK that sends the token back.
 */
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../common/api';
import { Dialog } from '../common/dialog';
import { operatorName } from '../common/format';
import { type LocalizedMessagesText, useT } from '../common/i18n';
import { type Problem, useProblems } from '../common/problems';
import type { LockTarget } from './blocco-dispositivo';

type Step = { kind: 'asking' } | { kind: 'warning'; token: string; warning: LocalizedMessagesText } | { kind: 'confirm'; token: string };

export function DisabilitaDispositivo(props: { device: LockTarget; onClose: (result: { done: boolean; problem?: Problem }) => void }) {
  const api = useApi();
  const { lang, t } = useT();
  const toProblem = useProblems();
  const [step, setStep] = useState<Step>({ kind: 'asking' });
  const [busy, setBusy] = useState(true);
  const { device } = props;
  const label = `${device.serial} (${operatorName(device.operator, lang)})`;

  useEffect(() => {
    api
      .disableDevice(device.serial)
      .then((answer) => {
        if ('confirmationRequired' in answer) setStep({ kind: 'warning', token: answer.confirmToken, warning: answer.warning });
        else props.onClose({ done: true });
      })
      .catch((error: unknown) => props.onClose({ done: false, problem: toProblem(error) }))
      .finally(() => setBusy(false));
  }, []);

  const confirm = async (token: string) => {
    setBusy(true);
    try {
      await api.disableDevice(device.serial, token);
      props.onClose({ done: true });
    } catch (error) {
      props.onClose({ done: false, problem: toProblem(error) });
    }
  };
  const cancel = () => props.onClose({ done: false });

  if (step.kind === 'confirm') {
    return (
      <Dialog
        title={t('disable.confirmTitle')}
        role="alertdialog"
        busy={busy}
        busyText={t('common.busy')}
        onCancel={cancel}
        actions={[
          { label: t('common.ok'), onClick: () => confirm(step.token), primary: true },
          { label: t('common.cancel'), onClick: cancel, autoFocus: true },
        ]}
      >
        <p>{t('disable.confirmText', { device: label })}</p>
      </Dialog>
    );
  }
  return (
    <Dialog
      title={t('disable.title')}
      role="alertdialog"
      busy={busy}
      busyText={t('common.busy')}
      onCancel={cancel}
      actions={[
        {
          label: t('common.ok'),
          onClick: () => step.kind === 'warning' && setStep({ kind: 'confirm', token: step.token }),
          primary: true,
          disabled: step.kind !== 'warning',
        },
        { label: t('common.cancel'), onClick: cancel, autoFocus: true },
      ]}
    >
      <p>
        <strong>{label}</strong>
      </p>
      {step.kind === 'warning' ? <p>{step.warning[lang]}</p> : <p>{t('common.loading')}</p>}
    </Dialog>
  );
}
