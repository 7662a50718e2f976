import type { Lang } from './i18n';

/**
 * The header's language button of both pages: it names the other language in
 * that language (`lang` set for screen readers) and says what it does in `title`.
 */
export function LanguageSwitch(props: { lang: Lang; label: string; title: string; onSwitch: (next: Lang) => void }) {
  const next: Lang = props.lang === 'it' ? 'en' : 'it';
  return (
    <button type="button" class="lang" lang={next} title={props.title} onClick={() => props.onSwitch(next)}>
      {props.label}
    </button>
  );
}
