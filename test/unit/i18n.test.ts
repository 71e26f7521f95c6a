import { describe, expect, it } from 'vitest';
import { groupDigits, isTimeZone, langOfAcceptLanguage, localTime, named, periodName, say, score2, yuan } from '../../src/shared/i18n.js';
import { catalogueParts, englishLabels, messages } from '../../src/shared/messages/index.js';
import { loadConfig, ConfigError } from '../../src/config.js';

describe('i18n: formatting for people', () => {
  it('groups thousands in decimal strings without touching the digits', () => {
    expect(groupDigits('7000000.00')).toBe('7,000,000.00');
    expect(groupDigits('-1234567.5')).toBe('-1,234,567.5');
    expect(groupDigits('999.999999')).toBe('999.999999');
    expect(groupDigits('0.00')).toBe('0.00');
    expect(groupDigits('123456789012345.67')).toBe('123,456,789,012,345.67');
    expect(groupDigits('n/a')).toBe('n/a');
  });
  it('money has two decimals and separators; scores two decimals half-up', () => {
    expect(yuan('7000000')).toBe('7,000,000.00');
    expect(yuan('1234.5')).toBe('1,234.50');
    expect(yuan(null)).toBe('—');
    expect(score2('12345.675')).toBe('12,345.68');
    expect(score2('0.004999')).toBe('0.00');
    expect(score2('-0.005')).toBe('-0.01');
  });
  it('times in the hospital time zone', () => {
    expect(localTime(new Date('2026-04-01T16:30:00Z'))).toBe('2026-04-02 00:30:00 (UTC+8)');
    expect(localTime('2026-04-01T16:30:00Z', 'UTC')).toBe('2026-04-01 16:30:00 (UTC)');
    expect(localTime(null)).toBe('—');
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    // aliases are not among the canonical names Intl lists, and are time zones all the same
    for (const alias of ['UTC', 'Etc/UTC', 'Asia/Chongqing', 'PRC']) expect(isTimeZone(alias), alias).toBe(true);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone('asia/shanghai ')).toBe(false);
  });
  it('periods and names in words', () => {
    expect(periodName('2026Q1', 'zh')).toBe('2026年第一季度');
    expect(periodName('2026Q4', 'en')).toBe('2026 Q4');
    expect(periodName('2026', 'zh')).toBe('2026年度（年终）');
    expect(named('内科', 'A001', 'zh')).toBe('内科（A001）');
    expect(named(undefined, 'A001', 'zh')).toBe('A001');
  });
  it('Accept-Language picks Chinese only when asked, by weight', () => {
    expect(langOfAcceptLanguage(undefined)).toBe('en');
    expect(langOfAcceptLanguage('zh')).toBe('zh');
    expect(langOfAcceptLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(langOfAcceptLanguage('en-US,en;q=0.9,zh;q=0.5')).toBe('en');
    expect(langOfAcceptLanguage('fr, zh-Hans;q=0.3')).toBe('zh');
    expect(langOfAcceptLanguage('fr')).toBe('en');
    expect(langOfAcceptLanguage('zh;q=0')).toBe('en');
  });
  it('fills placeholders from the catalogue', () => {
    expect(say('zh', 'status.approved')).toBe('已审批');
    expect(say('en', 'status.approved')).toBe('Approved');
  });
});

describe('the message catalogue', () => {
  it('has each key once across its files, with both languages', () => {
    const seen = new Map<string, string>();
    for (const [part, catalogue] of Object.entries(catalogueParts)) {
      for (const [key, message] of Object.entries(catalogue)) {
        expect(seen.get(key), `${key} in ${part} and ${seen.get(key)}`).toBeUndefined();
        seen.set(key, part);
        expect(message.zh.trim(), key).not.toBe('');
        expect(message.en.trim(), key).not.toBe('');
        const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(holes(message.zh), `${key}: placeholders`).toEqual(holes(message.en));
      }
    }
    expect(seen.size).toBe(Object.keys(messages).length);
  });
  it('lists the English labels a Chinese page must not show', () => {
    const labels = englishLabels();
    expect(labels).toContain('Approved');
    expect(labels).toContain('Paid total');
    expect(labels.every((l) => /[A-Za-z]{2,}/.test(l))).toBe(true);
  });
});

describe('the time-zone setting', () => {
  it('defaults to Asia/Shanghai and refuses an unknown zone naming the variable', () => {
    expect(loadConfig({}).PERFPAY_TIME_ZONE).toBe('Asia/Shanghai');
    expect(loadConfig({ PERFPAY_TIME_ZONE: 'Europe/Berlin' }).PERFPAY_TIME_ZONE).toBe('Europe/Berlin');
    expect(() => loadConfig({ PERFPAY_TIME_ZONE: 'Mars/Olympus' })).toThrow(ConfigError);
    expect(() => loadConfig({ PERFPAY_TIME_ZONE: 'Mars/Olympus' })).toThrow(/PERFPAY_TIME_ZONE/);
  });
});
