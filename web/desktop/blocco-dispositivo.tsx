/**
 * "Blocco Dispositivo Mobile" / Sblocco: the phone exchange with an operator
 * whose device cannot be reached by push (LOCK-1). Code 1 from the operator →
 * GENERA → code 2 read back → the device locks (or unlocks) and shows code 3 →
 * VERIFICA: the grid row changes. Each group is checked as it is typed.
 */
import { useState } from 'preact/hooks';
import { type Code2Answer, type Operator, useApi } from '../common/api';
import { CodeFields, type CodeValue, codeComplete, EMPTY_CODE } from '../common/code-fields';
import { Dialog } from '../common/dialog';
import { operatorName } from '../common/format';
import { formatTime, useT } from '../common/i18n';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';

export interface LockTarget {
  readonly serial: string;
  readonly operator: Operator | null;
  readonly phone: string | null;
}

export function BloccoDispositivo(props: { device: LockTarget; action: 'lock' | 'unlock'; onClose: (changed: boolean) => void }) {
  const api = useApi();
  const { lang, t } = useT();
  const toProblem = useProblems();
  const [code1, setCode1] = useState<CodeValue>(EMPTY_CODE);
  const [code2, setCode2] = useState<Code2Answer>();
  const [code3, setCode3] = useState<CodeValue>(EMPTY_CODE);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const { device, action } = props;

  const run = async (call: () => Promise<void>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await call();
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };
  const generate = () =>
    run(async () => {
      setCode2(await api.lockGenerate(device.serial, action, code1));
      setCode3(EMPTY_CODE);
    });
  const verify = () =>
    run(async () => {
      await api.lockVerify(device.serial, code3);
      setDone(true);
    });

  const attemptsLeft = typeof problem?.body?.attemptsLeft === 'number' ? problem.body.attemptsLeft : undefined;
  const actions = done
    ? [{ label: t('common.close'), onClick: () => props.onClose(true), primary: true, autoFocus: true }]
    : [
        { label: t('lock.generate'), onClick: generate, primary: !code2, disabled: !codeComplete(code1) },
        { label: t('lock.verify'), onClick: verify, primary: Boolean(code2), disabled: !code2 || !codeComplete(code3) },
        { label: t('common.close'), onClick: () => props.onClose(false) },
      ];

  return (
    <Dialog
      title={t(action === 'lock' ? 'lock.title.lock' : 'lock.title.unlock')}
      wide
      busy={busy}
      busyText={t('common.busy')}
      onCancel={() => props.onClose(done)}
      actions={actions}
    >
      <p>
        {t('lock.device', {
          serial: device.serial,
          operator: operatorName(device.operator, lang),
          phone: device.phone ?? t('common.none'),
        })}
      </p>
      <ol class="steps">
        <li>{t(action === 'lock' ? 'lock.step1.lock' : 'lock.step1.unlock')}</li>
        <li>{t('lock.step2')}</li>
        <li>{t(action === 'lock' ? 'lock.step3.lock' : 'lock.step3.unlock')}</li>
        <li>{t('lock.step4')}</li>
        {action === 'lock' && <li>{t('lock.step5')}</li>}
      </ol>
      <CodeFields legend={t('lock.code1')} value={code1} onChange={setCode1} disabled={done} />
      {code2 && (
        <>
          <CodeFields legend={t('lock.code2')} value={code2.code2.split('-') as unknown as CodeValue} readOnly />
          <p class="hint">{t('lock.code2Valid', { time: formatTime(lang, code2.expiresAt) })}</p>
          <CodeFields legend={t('lock.code3')} value={code3} onChange={setCode3} disabled={done} />
        </>
      )}
      {problem && (
        <ProblemBanner problem={problem}>
          {attemptsLeft !== undefined && <p>{t('code.attemptsLeft', { n: attemptsLeft })}</p>}
        </ProblemBanner>
      )}
      {done && (
        <p class="success" role="status">
          {t(action === 'lock' ? 'lock.done.lock' : 'lock.done.unlock')}
        </p>
      )}
    </Dialog>
  );
}
