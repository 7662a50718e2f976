/**
 * The customers overview (issue 13 item 2): every customer the person may see
 * — desktop version, update in progress, devices (total, enabled, on the
 * desktop's version), last startup check, open failure — in one table, sortable
 * by each column and filterable, each row leading to the customer's page. One
 * request (`GET /v1/support/customer-overview`, one Query server-side). Like
 * the device grids (web/common/grid.tsx), rows have one fixed height and only
 * those in view (plus a margin) are in the page, the table telling assistive
 * technology how many there are (aria-rowcount) and where each drawn one sits
 * (aria-rowindex): 2,000 customers draw as fast as 20 (bench
 * `console_customers_2000_ms`). A row is redrawn only when its data or the
 * language changes, so sorting and typing in the filter only move rows.
 */
import { Component } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatDateTime, type Lang } from '../common/i18n';
import { type CustomerOverviewRow, useConsoleApi } from './api';
import { Show, useLoad } from './common';
import { href } from './route';
import { type ConsoleTextKey, consoleText, useCT } from './texts';

/** Height of a row in pixels (console.css gives rows exactly this height). */
const ROW_HEIGHT = 34;
/** Rows drawn above and below the visible ones. */
const MARGIN_ROWS = 15;

type Column = 'name' | 'id' | 'licence' | 'desktopVersion' | 'session' | 'devices' | 'enabled' | 'onDesktop' | 'lastCheck' | 'failure';
type Direction = 'ascending' | 'descending';

/** The columns, with their share of the table's width (a fixed layout: no row measures another). */
const COLUMNS: readonly { id: Column; label: ConsoleTextKey; width: string; numeric?: boolean }[] = [
  { id: 'name', label: 'customers.name', width: '14%' },
  { id: 'id', label: 'customers.id', width: '8%' },
  { id: 'licence', label: 'customers.licence', width: '11%' },
  { id: 'desktopVersion', label: 'customers.desktopVersion', width: '9%' },
  { id: 'session', label: 'customers.session', width: '14%' },
  { id: 'devices', label: 'customers.devices', width: '7%', numeric: true },
  { id: 'enabled', label: 'customers.enabled', width: '6%', numeric: true },
  { id: 'onDesktop', label: 'customers.onDesktop', width: '7%', numeric: true },
  { id: 'lastCheck', label: 'customers.lastCheck', width: '10%' },
  { id: 'failure', label: 'customers.failure', width: '14%' },
];

/** The value a column sorts by (null: no value, always last). */
const SORT_VALUE: Record<Column, (r: CustomerOverviewRow) => string | number | null> = {
  name: (r) => r.name,
  id: (r) => r.customerId,
  licence: (r) => r.licenceCode,
  desktopVersion: (r) => r.desktopVersion,
  session: (r) => r.sessionState,
  devices: (r) => r.devicesTotal,
  enabled: (r) => r.devicesEnabled,
  onDesktop: (r) => r.devicesOnDesktopVersion,
  lastCheck: (r) => r.lastCheckAt,
  failure: (r) => r.failedSince,
};

const collator = new Intl.Collator('it', { sensitivity: 'base', numeric: true });

function compare(column: Column, direction: Direction) {
  const value = SORT_VALUE[column];
  const sign = direction === 'ascending' ? 1 : -1;
  return (a: CustomerOverviewRow, b: CustomerOverviewRow) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
    return order === 0 ? collator.compare(a.customerId, b.customerId) : sign * order;
  };
}

interface Filters {
  text: string;
  onlyFailed: boolean;
  onlyBehind: boolean;
  onlyDevicesBehind: boolean;
}

export function CustomersOverview() {
  const { t } = useCT();
  const api = useConsoleApi();
  const [state, reload] = useLoad(() => api.customerOverview());
  return (
    <section class="panel wide" aria-labelledby="customers-h">
      <div class="panel-head">
        <h2 id="customers-h">{t('customers.title')}</h2>
        <button type="button" onClick={reload}>
          {t('customers.refresh')}
        </button>
      </div>
      <p>{t('customers.intro')}</p>
      <Show state={state} onRetry={reload}>
        {(overview) => <OverviewTable customers={overview.customers} latestVersion={overview.latestVersion} />}
      </Show>
    </section>
  );
}

function OverviewTable(props: { customers: CustomerOverviewRow[]; latestVersion: string | null }) {
  const { lang, t } = useCT();
  const { customers, latestVersion } = props;
  const [sort, setSort] = useState<{ column: Column; direction: Direction }>({ column: 'name', direction: 'ascending' });
  const [filters, setFilters] = useState<Filters>({ text: '', onlyFailed: false, onlyBehind: false, onlyDevicesBehind: false });
  // What the text filter searches, lower-cased once per load.
  const haystacks = useMemo(
    () => new Map(customers.map((c) => [c, `${c.name ?? ''}\n${c.customerId}\n${c.licenceCode ?? ''}`.toLowerCase()])),
    [customers],
  );
  const sorted = useMemo(() => [...customers].sort(compare(sort.column, sort.direction)), [customers, sort]);
  const shown = useMemo(() => {
    const text = filters.text.trim().toLowerCase();
    return sorted.filter(
      (c) =>
        (!text || haystacks.get(c)!.includes(text)) &&
        (!filters.onlyFailed || c.failedSince !== null) &&
        (!filters.onlyBehind || (latestVersion !== null && c.desktopVersion !== latestVersion)) &&
        (!filters.onlyDevicesBehind || c.devicesOnDesktopVersion < c.devicesEnabled),
    );
  }, [sorted, filters, haystacks, latestVersion]);

  const set = (change: Partial<Filters>) => setFilters({ ...filters, ...change });
  const sortBy = (column: Column) =>
    setSort(
      sort.column === column
        ? { column, direction: sort.direction === 'ascending' ? 'descending' : 'ascending' }
        : { column, direction: 'ascending' },
    );
  const sortedLabel = t(COLUMNS.find((c) => c.id === sort.column)!.label);

  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(20 * ROW_HEIGHT);
  useLayoutEffect(() => {
    if (scroller.current) setViewport(scroller.current.clientHeight || viewport);
  }, []);
  const visible = Math.ceil(viewport / ROW_HEIGHT);
  // A filter that shrinks the list leaves the scroll position where it was until the browser moves it: never draw past the end.
  const first = Math.max(0, Math.min(Math.floor(scrollTop / ROW_HEIGHT), shown.length - visible) - MARGIN_ROWS);
  const last = Math.min(shown.length, first + visible + 2 * MARGIN_ROWS);
  const spacer = (height: number, key: string) =>
    height > 0 && (
      // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row holds nothing focusable; it only keeps the scroll height of the rows not drawn.
      <tr key={key} aria-hidden="true" class="spacer">
        <td colSpan={COLUMNS.length} style={{ height: `${height}px` }} />
      </tr>
    );

  return (
    <>
      <div class="filters">
        <label>
          {t('customers.filter')}
          <input type="search" value={filters.text} onInput={(e) => set({ text: e.currentTarget.value })} />
        </label>
        <label class="check">
          <input type="checkbox" checked={filters.onlyFailed} onChange={(e) => set({ onlyFailed: e.currentTarget.checked })} />
          {t('customers.onlyFailed')}
        </label>
        {latestVersion && (
          <label class="check">
            <input type="checkbox" checked={filters.onlyBehind} onChange={(e) => set({ onlyBehind: e.currentTarget.checked })} />
            {t('customers.onlyBehind', { version: latestVersion })}
          </label>
        )}
        <label class="check">
          <input
            type="checkbox"
            checked={filters.onlyDevicesBehind}
            onChange={(e) => set({ onlyDevicesBehind: e.currentTarget.checked })}
          />
          {t('customers.onlyDevicesBehind')}
        </label>
      </div>
      <p role="status">{t('customers.count', { shown: shown.length, total: customers.length })}</p>
      <div class="customers-scroll" ref={scroller} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <table class="customers" aria-rowcount={shown.length + 1}>
          <caption class="visually-hidden">
            {t('customers.caption', { column: sortedLabel, direction: t(`customers.${sort.direction}`) })}
          </caption>
          <colgroup>
            {COLUMNS.map((column) => (
              <col key={column.id} style={{ width: column.width }} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {COLUMNS.map((column) => (
                <th
                  key={column.id}
                  scope="col"
                  class={column.numeric ? 'num' : undefined}
                  aria-sort={sort.column === column.id ? sort.direction : undefined}
                >
                  <button type="button" class="sort" onClick={() => sortBy(column.id)}>
                    {t(column.label)}
                    <span aria-hidden="true" class="sort-mark">
                      {sort.column === column.id ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {spacer(first * ROW_HEIGHT, 'above')}
            {shown.slice(first, last).map((c, i) => (
              <Row key={c.customerId} row={c} lang={lang} index={first + i + 2} />
            ))}
            {spacer((shown.length - last) * ROW_HEIGHT, 'below')}
          </tbody>
        </table>
      </div>
      {shown.length === 0 && <p>{t('customers.none')}</p>}
    </>
  );
}

/** One customer: redrawn only when its data, the language or its place changed (sorting and filtering move rows, nothing else). */
class Row extends Component<{ row: CustomerOverviewRow; lang: Lang; index: number }> {
  override shouldComponentUpdate(next: { row: CustomerOverviewRow; lang: Lang; index: number }) {
    return next.row !== this.props.row || next.lang !== this.props.lang || next.index !== this.props.index;
  }

  render() {
    const { row: c, lang, index } = this.props;
    const t = (key: ConsoleTextKey, vars?: Record<string, string | number>) => consoleText(lang, key, vars);
    const behind = c.devicesOnDesktopVersion < c.devicesEnabled;
    return (
      <tr aria-rowindex={index} class={c.failedSince ? 'failed' : undefined}>
        <th scope="row" title={c.name ?? undefined}>
          <a href={href({ page: 'customer', customerId: c.customerId })}>{c.name ?? t('customers.noName')}</a>
        </th>
        <td>{c.customerId}</td>
        <td>{c.licenceCode ?? '—'}</td>
        <td>{c.desktopVersion ?? '—'}</td>
        <td title={t(`state.${c.sessionState}`)}>
          {t(`state.${c.sessionState}`)}
          {c.targetVersion && c.sessionState !== 'available' && c.sessionState !== 'concluded' && (
            <span class="muted"> {t('customers.towards', { version: c.targetVersion })}</span>
          )}
        </td>
        <td class="num">{c.devicesTotal}</td>
        <td class="num">{c.devicesEnabled}</td>
        <td class={behind ? 'num behind' : 'num'}>{c.devicesOnDesktopVersion}</td>
        <td>{c.lastCheckAt ? formatDateTime(lang, c.lastCheckAt) : t('customers.never')}</td>
        <td>{c.failedSince ? t('customers.failedSince', { time: formatDateTime(lang, c.failedSince) }) : t('customers.noFailure')}</td>
      </tr>
    );
  }
}
