/**
 * The three 5-digit fields of a code (confirmation response, lock codes 1 and
 * 3), with the per-group typo check of shared/codes/code-format.ts as the
 * digits are typed: a group with a wrong check digit says so at once, before
 * anything is sent (no attempt is spent). Read-only, the same fields show a
 * code to read out (challenge, code 2).
 */
import { useId } from 'preact/hooks';
import { checkGroup, type GroupCheck } from '../../shared/codes/code-format';
import { useT } from './i18n';

export type CodeValue = readonly [string, string, string];
export const EMPTY_CODE: CodeValue = ['', '', ''];

/** True when all three groups are complete and pass their check digit. */
export const codeComplete = (value: CodeValue) => value.every((g, i) => checkGroup(i + 1, g).status === 'ok');

export interface CodeFieldsProps {
  /** The field's name, e.g. "Primo codice (comunicato dall'operatore)". */
  readonly legend: string;
  readonly value: CodeValue;
  readonly onChange?: (value: CodeValue) => void;
  readonly readOnly?: boolean;
  readonly disabled?: boolean;
}

export function CodeFields(props: CodeFieldsProps) {
  const { lang, t } = useT();
  const id = useId();
  const checks: GroupCheck[] = props.value.map((g, i) => checkGroup(i + 1, g));

  const set = (index: number, text: string, input: HTMLInputElement) => {
    const digits = text.replace(/[\s-]/g, '');
    // A whole code pasted or typed into one field fills the three.
    if (index === 0 && /^\d{15}$/.test(digits)) {
      props.onChange?.([digits.slice(0, 5), digits.slice(5, 10), digits.slice(10, 15)]);
      return;
    }
    const next = [...props.value] as [string, string, string];
    next[index] = text;
    props.onChange?.(next);
    // Five digits with a valid check digit: on to the next group.
    if (checkGroup(index + 1, text).status === 'ok' && index < 2) {
      const form = input.closest('fieldset');
      form?.querySelectorAll<HTMLInputElement>('input')[index + 1]?.focus();
    }
  };

  return (
    <fieldset class="code-fields">
      <legend>{props.legend}</legend>
      <div class="code-groups">
        {checks.map((check, i) => {
          const n = i + 1;
          const statusId = `${id}-s${n}`;
          const bad = check.status === 'typo' || check.status === 'format';
          return (
            <div class="code-group" key={n}>
              <input
                type="text"
                inputMode="numeric"
                autoComplete="off"
                spellcheck={false}
                maxLength={props.readOnly ? undefined : 9}
                size={7}
                value={props.value[i]}
                readOnly={props.readOnly}
                disabled={props.disabled}
                aria-label={t('code.group', { field: props.legend, n })}
                aria-invalid={bad ? 'true' : undefined}
                aria-describedby={props.readOnly ? undefined : statusId}
                onInput={(e) => set(i, (e.currentTarget as HTMLInputElement).value, e.currentTarget as HTMLInputElement)}
              />
              {!props.readOnly && (
                <span id={statusId} class={`code-status${bad ? ' code-bad' : check.status === 'ok' ? ' code-ok' : ''}`} aria-live="polite">
                  {bad ? `⚠ ${check.messages[lang]}` : check.status === 'ok' ? `✓ ${t('code.groupOk', { n })}` : ''}
                </span>
              )}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
