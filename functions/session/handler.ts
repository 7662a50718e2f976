import { session as routes } from '../../shared/api/routes/session';
import { created, httpHandler, implement, notModified, ok } from '../../shared/http/handler';
import { authoriseTablet, editTablet } from '../../shared/tablets/authorisation';
import * as window from './window';

/** GET /v1/desktop/update: the window's data; 304 when unchanged since the ETag the desktop holds. */
export const grid = implement(routes.grid, async ({ principal, query, event }) => {
  const { body, etag } = await window.grid(principal, query.filter);
  const headers = { etag, 'cache-control': 'no-cache' };
  return event.headers['if-none-match'] === etag ? notModified(headers) : ok(body, headers);
});

export const startUpdatePush = implement(routes.startUpdatePush, async ({ principal, lambda, body }) =>
  ok(await window.sendStartUpdate(principal, lambda, body.serial)),
);
export const start = implement(routes.start, async ({ principal }) => ok(await window.startUpdate(principal)));
export const force = implement(routes.force, async ({ principal, body }) => ok(await window.forceUpdate(principal, body.confirmToken)));
export const outcome = implement(routes.outcome, async ({ principal, body }) => ok(await window.reportOutcome(principal, body)));
export const endUpdatePush = implement(routes.endUpdatePush, async ({ principal, lambda, body }) =>
  ok(await window.sendEndUpdate(principal, lambda, body.serial)),
);
export const conclude = implement(routes.conclude, async ({ principal, body }) => ok(await window.conclude(principal, body.confirmToken)));
export const reactivate = implement(routes.reactivate, async ({ principal, lambda }) => ok(await window.reactivate(principal, lambda)));
export const close = implement(routes.close, async ({ principal, lambda }) => ok(await window.closeUpdate(principal, lambda)));
export const report = implement(routes.report, async ({ principal, body }) => ok(await window.reportToSupport(principal, body.message)));
export const disableDevice = implement(routes.disableDevice, async ({ principal, params, body }) =>
  ok(await window.disableDevice(principal, params.serial, body.confirmToken)),
);
export const mobileDevices = implement(routes.mobileDevices, async ({ principal }) => ok(await window.mobileDevices(principal)));
export const enableDevice = implement(routes.enableDevice, async ({ principal, params }) =>
  ok(await window.enableDevice(principal, params.serial)),
);

/** Gestione Autorizzazioni Tablet (admin side): the same operations support uses (shared/tablets). */
export const authoriseTabletRoute = implement(routes.authoriseTablet, async ({ principal, body }) => {
  const { serial, ...fields } = body;
  return created(await authoriseTablet(principal, principal.customerId, serial, fields));
});
export const editTabletRoute = implement(routes.editTablet, async ({ principal, params, body }) =>
  ok(await editTablet(principal, principal.customerId, params.serial, body)),
);

export const handler = httpHandler('session', [
  grid,
  startUpdatePush,
  start,
  force,
  outcome,
  endUpdatePush,
  conclude,
  reactivate,
  close,
  report,
  disableDevice,
  mobileDevices,
  enableDevice,
  authoriseTabletRoute,
  editTabletRoute,
]);
