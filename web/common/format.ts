/** Small renderings shared by the windows: operators, grid notes. */
import type { Operator } from './api';
import { type Lang, translate } from './i18n';

/** "OP01 Mario Rossi", or a dash. */
export function operatorName(operator: Operator | null | undefined, lang: Lang): string {
  return operator ? `${operator.code} ${operator.name} ${operator.surname}` : translate(lang, 'common.none');
}

/**
 * A grid note in the page's language. Notes are written
 * `<yyyy-mm-dd hh:mm> UTC <italiano> / <english>` (or Italian only).
 */
export function noteText(note: string | undefined, lang: Lang): string {
  if (!note) return '';
  const text = note.replace(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC /, '');
  const [it, en] = text.split(' / ');
  return (lang === 'en' ? (en ?? it) : it) ?? '';
}
