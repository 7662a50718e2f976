/**
 * The console's forms: a labelled field whose error is tied to it
 * (`aria-invalid`, `aria-describedby`), and `useAction`, which runs one API
 * call and turns what it refused into what the person sees — a 400's issues
 * and a field's own conflict (a duplicate name) under the field concerned,
 * with focus moved to the first one; a 403 into the 403 page; anything else
 * into a problem banner with the server catalogue's text. The form keeps
 * every value typed, so a refusal loses nothing.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { type Problem, useProblems } from '../common/problems';
import { ApiError } from './api';
import { isForbidden } from './common';
import { type ConsoleTextKey, useCT } from './texts';

/** Field name (as the contract names it, `operator.code`) → the text shown under it. */
export type FieldErrors = Readonly<Record<string, string>>;

/** Fields whose console text explains a refused value better than the contract's English one. */
const FIELD_TEXTS: Readonly<Record<string, ConsoleTextKey>> = {
  username: 'invalid.username',
  password: 'invalid.password',
  label: 'invalid.label',
  licenceCode: 'invalid.licenceCode',
  serial: 'invalid.serial',
  model: 'invalid.model',
  'operator.code': 'invalid.operatorCode',
  'operator.name': 'invalid.operatorName',
  'operator.surname': 'invalid.operatorSurname',
  phone: 'invalid.phone',
  version: 'invalid.version',
  notesUrl: 'invalid.notesUrl',
};

export interface ActionOptions {
  /** Error codes that concern one field (USER_EXISTS → `username`): shown under it with the catalogue's text. */
  readonly fieldOf?: Readonly<Record<string, string>>;
}

export interface Action {
  readonly busy: boolean;
  readonly problem?: Problem;
  readonly fieldErrors: FieldErrors;
  /** A 403: the caller shows the 403 page instead of the form. */
  readonly forbidden: boolean;
  /** Runs `call`; resolves with its answer, or undefined when it was refused (the refusal is then shown). */
  run<T>(call: () => Promise<T>, options?: ActionOptions): Promise<T | undefined>;
  clear(): void;
}

/** One API action at a time, with its refusal kept for the form to show. */
export function useAction(): Action {
  const { t } = useCT();
  const problems = useProblems();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [forbidden, setForbidden] = useState(false);

  const run = async <T,>(call: () => Promise<T>, options: ActionOptions = {}): Promise<T | undefined> => {
    setBusy(true);
    setProblem(undefined);
    setFieldErrors({});
    try {
      return await call();
    } catch (error) {
      if (isForbidden(error)) {
        setForbidden(true);
        return undefined;
      }
      const shown = problems(error);
      const fields: Record<string, string> = {};
      // True when the server named a field no form shows (the banner then says what was refused).
      let unplaced = false;
      if (error instanceof ApiError) {
        const field = options.fieldOf?.[error.code];
        if (field) fields[field] = shown.text;
        const issues =
          error.status === 400 && Array.isArray(error.body.issues) ? (error.body.issues as { field?: unknown; problem?: unknown }[]) : [];
        for (const issue of issues) {
          const key = typeof issue.field === 'string' ? FIELD_TEXTS[issue.field] : undefined;
          if (!key) unplaced = true;
          else if (!fields[issue.field as string]) fields[issue.field as string] = t(key);
        }
      }
      setFieldErrors(fields);
      // A field error says it all; anything else (a 409 with the current state, no answer…) is a banner.
      if (unplaced || Object.keys(fields).length === 0) setProblem(shown);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return {
    busy,
    problem,
    fieldErrors,
    forbidden,
    run,
    clear: () => {
      setProblem(undefined);
      setFieldErrors({});
    },
  };
}

/**
 * A form whose first field in error gets the focus after a refusal (the
 * person hears which field and why); submitted with Enter or its button.
 */
export function Form(props: { labelledBy: string; errors: FieldErrors; onSubmit: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [props.errors]);
  return (
    <form
      ref={ref}
      class="manage-form"
      aria-labelledby={props.labelledBy}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/** A labelled input with its error (if any) announced with it. */
export function Field(props: {
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  errors: FieldErrors;
  type?: 'text' | 'password' | 'url';
  hint?: string;
  autoComplete?: string;
  maxLength?: number;
  inputMode?: 'numeric' | 'tel' | 'text';
  spellcheck?: boolean;
}) {
  const id = useId();
  const error = props.errors[props.name];
  const described = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p id={`${id}-hint`} class="hint">
          {props.hint}
        </p>
      )}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        autoComplete={props.autoComplete ?? 'off'}
        maxLength={props.maxLength}
        inputMode={props.inputMode}
        spellcheck={props.spellcheck ?? false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The one-time secret panel: shown once, with a copy button and the warning that it is not shown again. */
export function OneTimeSecret(props: { title: string; warning: string; value: string; onDone: () => void; doneLabel: string }) {
  const { t } = useCT();
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'no'>();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <section class="secret" aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`} ref={ref} tabIndex={-1}>
        {props.title}
      </h4>
      <p class="note-warn">{props.warning}</p>
      <label for={`${id}-v`}>{t('secret.value')}</label>
      <input id={`${id}-v`} class="secret-value" type="text" readOnly value={props.value} onFocus={(e) => e.currentTarget.select()} />
      <div class="actions">
        <button type="button" onClick={() => void copy()}>
          {t('secret.copy')}
        </button>
        <button type="button" class="primary" onClick={props.onDone}>
          {props.doneLabel}
        </button>
      </div>
      <p role="status">{copied === 'yes' ? t('secret.copied') : copied === 'no' ? t('secret.copyFailed') : ''}</p>
    </section>
  );
}

/** A password people can read out (no look-alike characters), from the browser's cryptographic generator. */
export function generatePassword(length = 14): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
  let out = '';
  // Rejection sampling keeps every character equally likely.
  for (const b of bytes) {
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : generatePassword(length);
}
