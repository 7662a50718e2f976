/**
 * The device grids (Gestione aggiornamento, Gestione Mobile): a plain table
 * with a caption and column headers, and one radio button per row for the
 * manual's "selezionare la riga … e premere il pulsante" — arrow keys move the
 * selection, a click anywhere on a row selects it too.
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

export interface Column<R> {
  readonly id: string;
  readonly header: string;
  readonly cell: (row: R) => ComponentChildren;
  readonly class?: string;
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
  const { onSelect } = props;
  return (
    <div class="grid-scroll">
      <table class="grid">
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
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
          {props.rows.length === 0 && (
            <tr>
              <td colSpan={props.columns.length + (onSelect ? 1 : 0)} class="grid-empty">
                {props.empty}
              </td>
            </tr>
          )}
          {props.rows.map((row) => {
            const key = props.rowKey(row);
            const selected = props.selected === key;
            const extra = props.rowClass?.(row);
            return (
              <tr key={key} class={`${selected ? 'selected' : ''}${extra ? ` ${extra}` : ''}`} onClick={onSelect && (() => onSelect(key))}>
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
        </tbody>
      </table>
    </div>
  );
}
