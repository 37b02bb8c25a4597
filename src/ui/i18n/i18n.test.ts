import { describe, expect, it } from 'vitest';
import { CATALOGUES, placeholders, setLanguage, t } from './index';
import { en } from './en';

describe('i18n catalogues', () => {
  const keys = Object.keys(en).sort();
  for (const [code, cat] of Object.entries(CATALOGUES)) {
    it(`${code} has exactly the English keys`, () => {
      expect(Object.keys(cat).sort()).toEqual(keys);
    });
    it(`${code} has the same placeholders as English in every message`, () => {
      for (const k of keys) expect(placeholders(cat[k as keyof typeof en]), `${code} ${k}`).toEqual(placeholders(en[k as keyof typeof en]));
    });
    it(`${code} has no empty message`, () => {
      for (const k of keys) expect(cat[k as keyof typeof en].trim(), `${code} ${k}`).not.toBe('');
    });
  }
  it('ships a second language', () => {
    expect(Object.keys(CATALOGUES)).toContain('de');
  });
});

describe('t()', () => {
  it('fills placeholders and picks the language from a BCP 47 tag', () => {
    expect(setLanguage('de-AT')).toBe('de');
    expect(t('status.reconnecting', { cause: 'x', s: 3 })).toBe('x; neuer Versuch in 3 s');
    expect(setLanguage('fr-FR')).toBe('en');
    expect(t('status.reconnecting', { cause: 'x', s: 3 })).toBe('x; reconnecting in 3 s');
    expect(t('err.channelClosed')).toBe('The server closed the {channel} channel.');
    setLanguage('en');
  });
});
