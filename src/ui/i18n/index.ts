/**
 * Every string the UI shows goes through t(key, params): the catalogues are en.ts (the reference)
 * and de.ts. The language is chosen once (setLanguage) from the settings or navigator.language;
 * a key missing in a language falls back to English, a placeholder without a value stays visible.
 */
import { de } from './de';
import { en, type MessageKey } from './en';

export type { MessageKey };
export type Catalogue = Record<MessageKey, string>;

export const CATALOGUES: Record<string, Catalogue> = { en, de };
/** the languages a user can choose, with their own names */
export const LANGUAGES: ReadonlyArray<[string, string]> = [['en', 'English'], ['de', 'Deutsch']];

let current: Catalogue = en;
let currentCode = 'en';

/** pick the catalogue for a BCP 47 tag ('de-AT' → de); unknown tags give English */
export function setLanguage(tag: string | null | undefined): string {
  const base = (tag ?? '').toLowerCase().split('-')[0] ?? '';
  currentCode = base in CATALOGUES ? base : 'en';
  current = CATALOGUES[currentCode]!;
  return currentCode;
}

export function language(): string {
  return currentCode;
}

/** the string for `key` in the current language with `{name}` placeholders filled */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const s = current[key] ?? en[key] ?? key;
  return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
}

/** the placeholder names in a message (for the catalogue test) */
export function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}
