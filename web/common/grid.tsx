/**
 * The device grids (Gestione aggiornamento, Gestione Mobile): a table with a
 * caption and column headers, and one radio button per row for the manual's
 * "selezionare la riga … e premere il pulsante" — arrow keys move the
 * selection, a click anywhere on a row selects it too.
 *
 * Rows have one fixed height and only those in view (plus a margin) are in
 * the page: a customer with a thousand tablets gets a grid that draws as fast
 * as one with ten (`npm run bench`: web_grid_1000_render_ms). The table keeps
 * telling assistive technology how many rows there are (aria-rowcount) and
 * where each drawn one sits (aria-rowindex).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';

/** Height of a grid row in pixels (styles.css gives rows exactly this height). */
export const ROW_HEIGHT = 30;
/** Rows drawn above and below the visible ones, so scrolling and arrow keys never meet a gap. */
const MARGIN_ROWS = 15;

export interface Column<R> {
  readonly id: string;
  readonly header: string;
  readonly cell: (row: R) => ComponentChildren;
  readonly class?: string;
  /** Fixed width in pixels; columns without one share what is left. */
  readonly width?: number;
}

export interface DataTableProps<R> {
  readonly caption: string;
  readonly columns: readonly Column<R>[];
  readonly rows: readonly R[];
  readonly rowKey: (row: R) => string;
  /** Extra class of a row (e.g. the red rows of phase 3). */
  readonly rowClass?: (row: R) => string | undefined;
  readonly selected?: string;
  readonly onSelect?: (key: string) => void;
  /** Accessible name of a row's radio button. */
  readonly selectLabel: (row: R) => string;
  /** Header of the selection column (visually hidden). */
  readonly selectHeader: string;
  readonly empty: string;
}

export function DataTable<R>(props: DataTableProps<R>) {
  const name = useId();
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(20 * ROW_HEIGHT);
  const { onSelect, rows } = props;

  useLayoutEffect(() => {
    if (scroller.current) setViewport(scroller.current.clientHeight || viewport);
  }, []);

  // The selected row stays in view (arrow keys may move it past the drawn ones).
  const selectedIndex = props.selected === undefined ? -1 : rows.findIndex((r) => props.rowKey(r) === props.selected);
  useEffect(() => {
    const el = scroller.current;
    if (!el || selectedIndex < 0) return;
    const top = selectedIndex * ROW_HEIGHT;
    const header = el.querySelector('thead')?.clientHeight ?? ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight - header) el.scrollTop = top + ROW_HEIGHT - el.clientHeight + header;
  }, [selectedIndex]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - MARGIN_ROWS);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + MARGIN_ROWS);
  const span = props.columns.length + (onSelect ? 1 : 0);
  const spacer = (height: number, key: string) =>
    height > 0 && (
      // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row holds nothing focusable; it only keeps the scroll height of the rows not drawn.
      <tr key={key} aria-hidden="true" class="grid-spacer">
        <td colSpan={span} style={{ height: `${height}px` }} />
      </tr>
    );

  return (
    <div class="grid-scroll" ref={scroller} onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}>
      <table class="grid" aria-rowcount={rows.length + 1}>
        <caption class="sr-only">{props.caption}</caption>
        <colgroup>
          {onSelect && <col class="col-select" />}
          {props.columns.map((c) => (
            <col key={c.id} style={c.width ? { width: `${c.width}px` } : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {onSelect && (
              <th scope="col" class="col-select">
                <span class="sr-only">{props.selectHeader}</span>
              </th>
            )}
            {props.columns.map((c) => (
              <th key={c.id} scope="col" class={c.class}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={span} class="grid-empty">
                {props.empty}
              </td>
            </tr>
          )}
          {spacer(first * ROW_HEIGHT, 'above')}
          {rows.slice(first, last).map((row, i) => {
            const key = props.rowKey(row);
            const selected = props.selected === key;
            const extra = props.rowClass?.(row);
            return (
              <tr
                key={key}
                aria-rowindex={first + i + 2}
                class={`${selected ? 'selected' : ''}${extra ? ` ${extra}` : ''}`}
                onClick={onSelect && (() => onSelect(key))}
              >
                {onSelect && (
                  <td class="col-select">
                    <input type="radio" name={name} checked={selected} aria-label={props.selectLabel(row)} onChange={() => onSelect(key)} />
                  </td>
                )}
                {props.columns.map((c) => (
                  <td key={c.id} class={c.class}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            );
          })}
          {spacer((rows.length - last) * ROW_HEIGHT, 'below')}
        </tbody>
      </table>
    </div>
  );
}
