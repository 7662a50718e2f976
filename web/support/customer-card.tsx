/**
 * The customer's card on its page, read-only: desktop users, workstation
 * credentials (never a secret), licences and the tablet authorisation table
 * with each tablet's version, last sync and state. Changes are made with the
 * support command line (docs/clients.md) or, for tablets, by the customer's admin.
 */
import { formatDateTime } from '../common/i18n';
import type { CustomerCard } from './api';
import { useCT } from './texts';

export function CustomerCardView(props: { card: CustomerCard; desktopVersion?: string }) {
  const { lang, t } = useCT();
  const { card } = props;
  const yes = (b: boolean) => (b ? t('card.yes') : t('card.no'));
  const onDesktop = card.tablets.filter((d) => d.enabled && d.installedVersion === props.desktopVersion).length;
  const enabled = card.tablets.filter((d) => d.enabled).length;
  return (
    <section aria-labelledby="card-h">
      <h3 id="card-h">{t('card.title')}</h3>
      <table class="list">
        <caption>{t('card.users')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('card.username')}</th>
            <th scope="col">{t('card.role')}</th>
            <th scope="col">{t('card.mustChange')}</th>
            <th scope="col">{t('card.created')}</th>
          </tr>
        </thead>
        <tbody>
          {card.users.map((u) => (
            <tr key={u.username}>
              <th scope="row">{u.username}</th>
              <td>{u.role === 'admin' ? t('card.admin') : t('card.user')}</td>
              <td>{yes(u.mustChangePassword)}</td>
              <td>{formatDateTime(lang, u.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="list">
        <caption>{t('card.workstations')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('card.workstation')}</th>
            <th scope="col">{t('card.label')}</th>
            <th scope="col">{t('card.revoked')}</th>
            <th scope="col">{t('card.created')}</th>
          </tr>
        </thead>
        <tbody>
          {card.workstations.map((w) => (
            <tr key={w.credentialId}>
              <th scope="row">{w.workstation.toUpperCase()}</th>
              <td>{w.label ?? '—'}</td>
              <td>{yes(w.revoked)}</td>
              <td>{formatDateTime(lang, w.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="list">
        <caption>{t('card.licences')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('card.licence')}</th>
            <th scope="col">{t('card.revoked')}</th>
            <th scope="col">{t('card.created')}</th>
          </tr>
        </thead>
        <tbody>
          {card.licences.map((l) => (
            <tr key={l.licenceCode}>
              <th scope="row">{l.licenceCode}</th>
              <td>{yes(l.revoked)}</td>
              <td>{formatDateTime(lang, l.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="list">
        <caption>{t('card.tablets', { enabled, onDesktop, version: props.desktopVersion ?? '—' })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('card.serial')}</th>
            <th scope="col">{t('card.operator')}</th>
            <th scope="col">{t('card.installed')}</th>
            <th scope="col">{t('card.lastSync')}</th>
            <th scope="col">{t('card.enabled')}</th>
            <th scope="col">{t('card.registered')}</th>
            <th scope="col">{t('card.blocked')}</th>
          </tr>
        </thead>
        <tbody>
          {card.tablets.map((d) => (
            <tr key={d.serial}>
              <th scope="row">{d.serial}</th>
              <td>{d.operator ? `${d.operator.surname} ${d.operator.name}` : '—'}</td>
              <td>{d.installedVersion ?? '—'}</td>
              <td>{formatDateTime(lang, d.lastSync)}</td>
              <td>{yes(d.enabled)}</td>
              <td>{yes(d.registered)}</td>
              <td>{yes(d.blocked)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
