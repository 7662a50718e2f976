/**
 * The manual's dialogs (Sì/No, Forza → Avvia, OK → OK …) as modal dialogs:
 * the native <dialog> opened with showModal() (the page behind is inert), a
 * name and a description for assistive technology, Tab and Shift+Tab kept
 * inside, Escape = the cancel button, focus back where it was on close.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export interface DialogAction {
  readonly label: string;
  readonly onClick: () => void;
  /** The main action (styled as such); the others are secondary. */
  readonly primary?: boolean;
  readonly disabled?: boolean;
  /** Focused when the dialog opens (else the first action). */
  readonly autoFocus?: boolean;
}

export interface DialogProps {
  readonly title: string;
  readonly children: ComponentChildren;
  readonly actions: readonly DialogAction[];
  /** Escape (and the cancel button) call it; without it, Escape does nothing. */
  readonly onCancel?: () => void;
  /** Shows the dialog busy: actions disabled while a request is in flight. */
  readonly busy?: boolean;
  readonly busyText?: string;
  /** `alertdialog` for warnings that need an answer (the manual's Avviso). @default 'dialog' */
  readonly role?: 'dialog' | 'alertdialog';
  readonly wide?: boolean;
}

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((e) => e.offsetParent !== null);
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  const onCancel = (event: Event) => {
    // The native Escape would close the element behind Preact's back: the owner decides.
    event.preventDefault();
    if (!props.busy) props.onCancel?.();
  };

  return (
    <dialog
      ref={ref}
      class={props.wide ? 'dialog dialog-wide' : 'dialog'}
      role={props.role ?? 'dialog'}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      aria-busy={props.busy ? 'true' : undefined}
      onKeyDown={onKeyDown}
      onCancel={onCancel}
    >
      <h2 id={titleId} class="dialog-title">
        {props.title}
      </h2>
      <div id={bodyId} class="dialog-body">
        {props.children}
      </div>
      {props.busy && props.busyText && (
        <p class="busy" role="status">
          {props.busyText}
        </p>
      )}
      <div class="dialog-actions">
        {props.actions.map((a) => (
          <button
            key={a.label}
            type="button"
            class={a.primary ? 'primary' : undefined}
            disabled={props.busy || a.disabled}
            data-autofocus={a.autoFocus ? '' : undefined}
            onClick={a.onClick}
          >
            {a.label}
          </button>
        ))}
      </div>
    </dialog>
  );
}
