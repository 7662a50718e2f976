/**
 * The customer's card on its page, and its management (issue 13 item 2): desktop
 * users (add, reset a password, change the role), workstation credentials
 * (issue — the secret shown once —, rotate, revoke), licences (issue, revoke)
 * and tablet authorisation management (authorise a serial, enable, disable).
 * Every action is one of the support routes `mophas-support` also calls, with
 * their rules: staff for every customer, an agent for its assigned ones (a 403
 * turns the card into the 403 page). Destructive actions ask first; a refusal
 * is shown under its field or as the server's explanation, and the card is
 * read again so it shows the current state.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Dialog } from '../common/dialog';
import { formatDateTime } from '../common/i18n';
import { type Problem, ProblemBanner } from '../common/problems';
import { type CustomerCard, type UserRole, useConsoleApi } from './api';
import { Forbidden } from './common';
import { type Action, Field, Form, generatePassword, OneTimeSecret, useAction } from './forms';
import { type ConsoleTranslate, useCT } from './texts';

type Card = CustomerCard;
type Tablet = Card['tablets'][number];

interface SectionProps {
  customerId: string;
  card: Card;
  /** Reads the card again (after a change, or a refusal that may mean it changed). */
  reload: () => Promise<void>;
  forbidden: () => void;
  /** Staff issue, rotate and revoke workstation credentials and licences; an agent reads them only. */
  staff: boolean;
}

export function CustomerCardView(props: { customerId: string; card: Card; desktopVersion?: string; staff: boolean }) {
  const { t } = useCT();
  const api = useConsoleApi();
  const [card, setCard] = useState(props.card);
  const [forbidden, setForbidden] = useState(false);
  if (forbidden) return <Forbidden />;
  const section: SectionProps = {
    customerId: props.customerId,
    card,
    reload: async () => {
      try {
        setCard(await api.customerCard(props.customerId));
      } catch {
        // The action's own outcome is already shown; the next action or a reload reads it again.
      }
    },
    forbidden: () => setForbidden(true),
    staff: props.staff,
  };
  return (
    <section aria-labelledby="card-h">
      <h3 id="card-h">{t('card.title')}</h3>
      <Users {...section} />
      <Workstations {...section} />
      <Licences {...section} />
      <Tablets {...section} desktopVersion={props.desktopVersion} />
    </section>
  );
}

/** Runs an action; on success reads the card again and shows `done`; a refusal that is not a field error rereads too (409: current state). */
async function act<T>(
  action: Action,
  s: SectionProps,
  call: () => Promise<T>,
  options?: Parameters<Action['run']>[1],
): Promise<T | undefined> {
  const answer = await action.run(call, options);
  await s.reload();
  return answer;
}

function Note(props: { text?: string }) {
  return props.text ? (
    <p class="note-ok" role="status">
      {props.text}
    </p>
  ) : null;
}

/** An alert dialog asking before a destructive action; Annulla has the focus. */
function Confirm(props: {
  title: string;
  text: string;
  confirm: string;
  busy: boolean;
  problem?: Problem;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ComponentChildren;
}) {
  const { t } = useCT();
  return (
    <Dialog
      role="alertdialog"
      title={props.title}
      busy={props.busy}
      busyText={t('dialog.busy')}
      onCancel={props.onCancel}
      actions={[
        { label: t('dialog.cancel'), onClick: props.onCancel, autoFocus: true },
        { label: props.confirm, primary: true, onClick: props.onConfirm },
      ]}
    >
      <p>{props.text}</p>
      {props.children}
      {props.problem && <ProblemBanner problem={props.problem} />}
    </Dialog>
  );
}

/** A 403 on any action: the card becomes the 403 page. */
function useForbidden(s: SectionProps, ...actions: Action[]) {
  const refused = actions.some((a) => a.forbidden);
  useEffect(() => {
    if (refused) s.forbidden();
  }, [refused]);
}

const yes = (t: ConsoleTranslate, b: boolean) => (b ? t('card.yes') : t('card.no'));

// ── Desktop users ───────────────────────────────────────────────────────────

function Users(s: SectionProps) {
  const { lang, t } = useCT();
  const api = useConsoleApi();
  const add = useAction();
  const row = useAction();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<UserRole>('user');
  const [note, setNote] = useState<string>();
  const [secret, setSecret] = useState<{ username: string; password: string }>();
  const [resetting, setResetting] = useState<string>();
  const [newPassword, setNewPassword] = useState('');
  useForbidden(s, add, row);

  const create = async () => {
    setNote(undefined);
    const body = { username: username.trim(), password, role };
    const user = await act(add, s, () => api.createUser(s.customerId, body), {
      fieldOf: { USER_EXISTS: 'username', WEAK_PASSWORD: 'password' },
    });
    if (!user) return;
    setSecret({ username: user.username, password: body.password });
    setUsername('');
    setPassword('');
    setRole('user');
  };
  const reset = async (name: string) => {
    const user = await act(row, s, () => api.updateUser(s.customerId, name, { password: newPassword }), {
      fieldOf: { WEAK_PASSWORD: 'password' },
    });
    if (!user) return;
    setResetting(undefined);
    setSecret({ username: name, password: newPassword });
    setNewPassword('');
  };
  const changeRole = async (name: string, to: UserRole) => {
    setNote(undefined);
    setSecret(undefined);
    const user = await act(row, s, () => api.updateUser(s.customerId, name, { role: to }));
    if (user) setNote(t('users.roleChanged', { name, role: to === 'admin' ? t('card.admin') : t('card.user') }));
  };

  return (
    <section class="manage" aria-labelledby="users-h">
      <h4 id="users-h">{t('card.users')}</h4>
      <Note text={note} />
      {row.problem && !resetting && <ProblemBanner problem={row.problem} />}
      {secret && (
        <OneTimeSecret
          title={t('users.passwordTitle', { name: secret.username })}
          warning={t('users.passwordWarning')}
          value={secret.password}
          doneLabel={t('secret.done')}
          onDone={() => setSecret(undefined)}
        />
      )}
      <table class="list">
        <caption class="visually-hidden">{t('card.users')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('card.username')}</th>
            <th scope="col">{t('card.role')}</th>
            <th scope="col">{t('card.mustChange')}</th>
            <th scope="col">{t('card.created')}</th>
            <th scope="col">{t('card.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {s.card.users.map((u) => (
            <tr key={u.username}>
              <th scope="row">{u.username}</th>
              <td>{u.role === 'admin' ? t('card.admin') : t('card.user')}</td>
              <td>{yes(t, u.mustChangePassword)}</td>
              <td>{formatDateTime(lang, u.createdAt)}</td>
              <td class="row-actions">
                <button
                  type="button"
                  disabled={row.busy}
                  onClick={() => {
                    row.clear();
                    setNewPassword('');
                    setResetting(u.username);
                  }}
                >
                  {t('users.reset')}
                </button>
                <button
                  type="button"
                  disabled={row.busy}
                  onClick={() => void changeRole(u.username, u.role === 'admin' ? 'user' : 'admin')}
                >
                  {u.role === 'admin' ? t('users.makeUser') : t('users.makeAdmin')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {resetting && (
        <Confirm
          title={t('users.resetTitle', { name: resetting })}
          text={t('users.resetText')}
          confirm={t('users.reset')}
          busy={row.busy}
          problem={row.problem}
          onCancel={() => setResetting(undefined)}
          onConfirm={() => void reset(resetting)}
        >
          <PasswordField value={newPassword} onInput={setNewPassword} errors={row.fieldErrors} label={t('users.newPassword')} />
        </Confirm>
      )}
      <h5 id="users-add-h">{t('users.add')}</h5>
      <Form labelledBy="users-add-h" errors={add.fieldErrors} onSubmit={() => void create()}>
        <Field name="username" label={t('users.username')} value={username} onInput={setUsername} errors={add.fieldErrors} maxLength={64} />
        <PasswordField value={password} onInput={setPassword} errors={add.fieldErrors} label={t('users.initialPassword')} />
        <div class="field">
          <label for="users-add-role">{t('card.role')}</label>
          <select id="users-add-role" value={role} onChange={(e) => setRole(e.currentTarget.value as UserRole)}>
            <option value="user">{t('card.user')}</option>
            <option value="admin">{t('card.admin')}</option>
          </select>
        </div>
        {add.problem && <ProblemBanner problem={add.problem} />}
        <button type="submit" class="primary" disabled={add.busy}>
          {t('users.addButton')}
        </button>
      </Form>
    </section>
  );
}

/** A password field people can read (it is passed on to the user), with a generator. */
function PasswordField(props: { value: string; onInput: (v: string) => void; errors: Action['fieldErrors']; label: string }) {
  const { t } = useCT();
  return (
    <div class="with-button">
      <Field
        name="password"
        label={props.label}
        hint={t('users.passwordHint')}
        value={props.value}
        onInput={props.onInput}
        errors={props.errors}
        maxLength={256}
      />
      <button type="button" onClick={() => props.onInput(generatePassword())}>
        {t('users.generate')}
      </button>
    </div>
  );
}

// ── Workstation credentials ─────────────────────────────────────────────────

function Workstations(s: SectionProps) {
  const { lang, t } = useCT();
  const api = useConsoleApi();
  const add = useAction();
  const row = useAction();
  const [workstation, setWorkstation] = useState<'server' | 'client'>('client');
  const [label, setLabel] = useState('');
  const [issued, setIssued] = useState<{ label: string; credential: string }>();
  const [confirming, setConfirming] = useState<{ id: string; label: string; what: 'rotate' | 'revoke' }>();
  const [note, setNote] = useState<string>();
  useForbidden(s, add, row);

  const issue = async () => {
    setNote(undefined);
    const w = await act(add, s, () => api.issueWorkstation(s.customerId, { workstation, label: label.trim() }), {
      fieldOf: { WORKSTATION_EXISTS: 'label' },
    });
    if (!w) return;
    setIssued({ label: w.label ?? '', credential: w.credential });
    setLabel('');
  };
  const confirm = async () => {
    if (!confirming) return;
    const { id, what } = confirming;
    if (what === 'rotate') {
      const w = await act(row, s, () => api.rotateWorkstation(s.customerId, id));
      if (w) setIssued({ label: w.label ?? '', credential: w.credential });
    } else {
      const w = await act(row, s, () => api.revokeWorkstation(s.customerId, id));
      if (w) setNote(t('workstations.revoked', { label: w.label ?? w.credentialId }));
    }
    setConfirming(undefined);
  };

  return (
    <section class="manage" aria-labelledby="ws-h">
      <h4 id="ws-h">{t('card.workstations')}</h4>
      <Note text={note} />
      {row.problem && <ProblemBanner problem={row.problem} />}
      {issued && (
        <OneTimeSecret
          title={t('workstations.secretTitle', { label: issued.label })}
          warning={t('workstations.secretWarning')}
          value={issued.credential}
          doneLabel={t('secret.done')}
          onDone={() => setIssued(undefined)}
        />
      )}
      <table class="list">
        <caption class="visually-hidden">{t('card.workstations')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('card.label')}</th>
            <th scope="col">{t('card.workstation')}</th>
            <th scope="col">{t('card.revoked')}</th>
            <th scope="col">{t('card.created')}</th>
            {s.staff && <th scope="col">{t('card.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {s.card.workstations.map((w) => (
            <tr key={w.credentialId}>
              <th scope="row">{w.label ?? '—'}</th>
              <td>{w.workstation === 'server' ? 'SERVER' : t('workstations.client')}</td>
              <td>{w.revoked ? `${t('card.yes')} · ${formatDateTime(lang, w.revokedAt)}` : t('card.no')}</td>
              <td>{formatDateTime(lang, w.createdAt)}</td>
              {s.staff && (
                <td class="row-actions">
                  {!w.revoked && (
                    <>
                      <button
                        type="button"
                        disabled={row.busy}
                        onClick={() => setConfirming({ id: w.credentialId, label: w.label ?? w.credentialId, what: 'rotate' })}
                      >
                        {t('workstations.rotate')}
                      </button>
                      <button
                        type="button"
                        class="danger"
                        disabled={row.busy}
                        onClick={() => setConfirming({ id: w.credentialId, label: w.label ?? w.credentialId, what: 'revoke' })}
                      >
                        {t('workstations.revoke')}
                      </button>
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {confirming && (
        <Confirm
          title={t(confirming.what === 'rotate' ? 'workstations.rotateTitle' : 'workstations.revokeTitle', { label: confirming.label })}
          text={t(confirming.what === 'rotate' ? 'workstations.rotateText' : 'workstations.revokeText')}
          confirm={t(confirming.what === 'rotate' ? 'workstations.rotate' : 'workstations.revoke')}
          busy={row.busy}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => void confirm()}
        />
      )}
      {!s.staff && <p class="hint">{t('card.staffOnly')}</p>}
      {s.staff && (
        <>
          <h5 id="ws-add-h">{t('workstations.add')}</h5>
          <Form labelledBy="ws-add-h" errors={add.fieldErrors} onSubmit={() => void issue()}>
            <div class="field">
              <label for="ws-add-kind">{t('card.workstation')}</label>
              <select id="ws-add-kind" value={workstation} onChange={(e) => setWorkstation(e.currentTarget.value as 'server' | 'client')}>
                <option value="client">{t('workstations.client')}</option>
                <option value="server">{t('workstations.server')}</option>
              </select>
            </div>
            <Field
              name="label"
              label={t('card.label')}
              hint={t('workstations.labelHint')}
              value={label}
              onInput={setLabel}
              errors={add.fieldErrors}
              maxLength={64}
            />
            {add.problem && <ProblemBanner problem={add.problem} />}
            <button type="submit" class="primary" disabled={add.busy}>
              {t('workstations.addButton')}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}

// ── Licences ────────────────────────────────────────────────────────────────

function Licences(s: SectionProps) {
  const { lang, t } = useCT();
  const api = useConsoleApi();
  const add = useAction();
  const row = useAction();
  const [code, setCode] = useState('');
  const [revoking, setRevoking] = useState<string>();
  const [note, setNote] = useState<string>();
  useForbidden(s, add, row);

  const issue = async () => {
    setNote(undefined);
    const typed = code.trim();
    const licence = await act(add, s, () => api.issueLicence(s.customerId, typed || undefined));
    if (!licence) return;
    setNote(t('licences.issued', { code: licence.licenceCode }));
    setCode('');
  };
  const revoke = async () => {
    if (!revoking) return;
    setNote(undefined);
    const licence = await act(row, s, () => api.revokeLicence(s.customerId, revoking));
    if (licence) setNote(t('licences.revoked', { code: licence.licenceCode }));
    setRevoking(undefined);
  };

  return (
    <section class="manage" aria-labelledby="lic-h">
      <h4 id="lic-h">{t('card.licences')}</h4>
      <Note text={note} />
      {row.problem && <ProblemBanner problem={row.problem} />}
      <table class="list">
        <caption class="visually-hidden">{t('card.licences')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('card.licence')}</th>
            <th scope="col">{t('card.revoked')}</th>
            <th scope="col">{t('card.created')}</th>
            {s.staff && <th scope="col">{t('card.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {s.card.licences.map((l) => (
            <tr key={l.licenceCode}>
              <th scope="row">{l.licenceCode}</th>
              <td>{l.revoked ? `${t('card.yes')} · ${formatDateTime(lang, l.revokedAt)}` : t('card.no')}</td>
              <td>{formatDateTime(lang, l.createdAt)}</td>
              {s.staff && (
                <td class="row-actions">
                  {!l.revoked && (
                    <button type="button" class="danger" disabled={row.busy} onClick={() => setRevoking(l.licenceCode)}>
                      {t('licences.revoke')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {revoking && (
        <Confirm
          title={t('licences.revokeTitle', { code: revoking })}
          text={t('licences.revokeText')}
          confirm={t('licences.revoke')}
          busy={row.busy}
          onCancel={() => setRevoking(undefined)}
          onConfirm={() => void revoke()}
        />
      )}
      {!s.staff && <p class="hint">{t('card.staffOnly')}</p>}
      {s.staff && (
        <>
          <h5 id="lic-add-h">{t('licences.add')}</h5>
          <Form labelledBy="lic-add-h" errors={add.fieldErrors} onSubmit={() => void issue()}>
            <Field
              name="licenceCode"
              label={t('licences.code')}
              hint={t('licences.codeHint')}
              value={code}
              onInput={setCode}
              errors={add.fieldErrors}
              maxLength={64}
            />
            {add.problem && <ProblemBanner problem={add.problem} />}
            <button type="submit" class="primary" disabled={add.busy}>
              {t('licences.addButton')}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}

// ── Tablet authorisation management ─────────────────────────────────────────

const NO_TABLET = { serial: '', model: '', code: '', name: '', surname: '', phone: '' };

function Tablets(s: SectionProps & { desktopVersion?: string }) {
  const { lang, t } = useCT();
  const api = useConsoleApi();
  const add = useAction();
  const row = useAction();
  const [form, setForm] = useState(NO_TABLET);
  const [disabling, setDisabling] = useState<Tablet>();
  const [note, setNote] = useState<string>();
  useForbidden(s, add, row);
  const set = (field: keyof typeof NO_TABLET) => (value: string) => setForm((f) => ({ ...f, [field]: value }));

  const authorise = async () => {
    setNote(undefined);
    const body = {
      serial: form.serial.trim(),
      model: form.model,
      operator: { code: form.code, name: form.name, surname: form.surname },
      phone: form.phone,
    };
    const tablet = await act(add, s, () => api.authoriseTablet(s.customerId, body), { fieldOf: { DEVICE_EXISTS: 'serial' } });
    if (!tablet) return;
    setNote(t('tablets.authorised', { serial: tablet.serial }));
    setForm(NO_TABLET);
  };
  const setEnabled = async (serial: string, enabled: boolean) => {
    setNote(undefined);
    const tablet = await act(row, s, () => api.setTabletEnabled(s.customerId, serial, enabled));
    if (tablet) setNote(t(enabled ? 'tablets.enabled' : 'tablets.disabled', { serial }));
    setDisabling(undefined);
  };

  const onDesktop = s.card.tablets.filter((d) => d.enabled && d.installedVersion === s.desktopVersion).length;
  const enabled = s.card.tablets.filter((d) => d.enabled).length;
  return (
    <section class="manage" aria-labelledby="tab-h">
      <h4 id="tab-h">{t('tablets.title')}</h4>
      <Note text={note} />
      {row.problem && <ProblemBanner problem={row.problem} />}
      <table class="list">
        <caption>{t('card.tablets', { enabled, onDesktop, version: s.desktopVersion ?? '—' })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('card.serial')}</th>
            <th scope="col">{t('tablets.model')}</th>
            <th scope="col">{t('card.operator')}</th>
            <th scope="col">{t('card.installed')}</th>
            <th scope="col">{t('card.lastSync')}</th>
            <th scope="col">{t('card.enabled')}</th>
            <th scope="col">{t('card.registered')}</th>
            <th scope="col">{t('card.blocked')}</th>
            <th scope="col">{t('card.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {s.card.tablets.map((d) => (
            <tr key={d.serial}>
              <th scope="row">{d.serial}</th>
              <td>{d.model ?? '—'}</td>
              <td>{d.operator ? `${d.operator.surname} ${d.operator.name}` : '—'}</td>
              <td>{d.installedVersion ?? '—'}</td>
              <td>{formatDateTime(lang, d.lastSync)}</td>
              <td>{yes(t, d.enabled)}</td>
              <td>{yes(t, d.registered)}</td>
              <td>{yes(t, d.blocked)}</td>
              <td class="row-actions">
                {d.enabled ? (
                  <button type="button" class="danger" disabled={row.busy} onClick={() => setDisabling(d)}>
                    {t('tablets.disable')}
                  </button>
                ) : (
                  <button type="button" disabled={row.busy} onClick={() => void setEnabled(d.serial, true)}>
                    {t('tablets.enable')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {disabling && (
        <Confirm
          title={t('tablets.disableTitle', { serial: disabling.serial })}
          text={t('tablets.disableText')}
          confirm={t('tablets.disable')}
          busy={row.busy}
          onCancel={() => setDisabling(undefined)}
          onConfirm={() => void setEnabled(disabling.serial, false)}
        />
      )}
      <h5 id="tab-add-h">{t('tablets.add')}</h5>
      <Form labelledBy="tab-add-h" errors={add.fieldErrors} onSubmit={() => void authorise()}>
        <Field
          name="serial"
          label={t('tablets.serial')}
          value={form.serial}
          onInput={set('serial')}
          errors={add.fieldErrors}
          maxLength={64}
          inputMode="numeric"
        />
        <Field name="model" label={t('tablets.model')} value={form.model} onInput={set('model')} errors={add.fieldErrors} maxLength={100} />
        <fieldset>
          <legend>{t('card.operator')}</legend>
          <Field
            name="operator.code"
            label={t('tablets.operatorCode')}
            value={form.code}
            onInput={set('code')}
            errors={add.fieldErrors}
            maxLength={20}
          />
          <Field name="operator.name" label={t('tablets.operatorName')} value={form.name} onInput={set('name')} errors={add.fieldErrors} />
          <Field
            name="operator.surname"
            label={t('tablets.operatorSurname')}
            value={form.surname}
            onInput={set('surname')}
            errors={add.fieldErrors}
          />
        </fieldset>
        <Field
          name="phone"
          label={t('tablets.phone')}
          value={form.phone}
          onInput={set('phone')}
          errors={add.fieldErrors}
          maxLength={30}
          inputMode="tel"
        />
        {add.problem && <ProblemBanner problem={add.problem} />}
        <button type="submit" class="primary" disabled={add.busy}>
          {t('tablets.addButton')}
        </button>
      </Form>
    </section>
  );
}
