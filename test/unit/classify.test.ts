import { describe, expect, it } from 'vitest';
import { classify, keywords } from '../../shared/domain/classify.js';
import { DEFAULT_CONFIG } from '../../shared/domain/types.js';

const cfg = (over: Partial<typeof DEFAULT_CONFIG> = {}) => ({ ...DEFAULT_CONFIG, ...over });
const plain = (bodyText: string, method = 'POST') => ({ action: 'success' as const, method, bodyText, explicit: false });

describe('classify', () => {
  it('keeps the URL action without rules', () => {
    for (const action of ['success', 'fail', 'start', 'log'] as const) {
      expect(classify({ action, method: 'GET', bodyText: '', explicit: action !== 'success' }, cfg(), 'up')).toBe(action);
    }
  });

  it.each([
    ['GET', 'ign'],
    ['HEAD', 'ign'],
    ['PUT', 'ign'],
    ['POST', 'success'],
    ['post', 'success'],
  ])('methods=POST: %s → %s', (method, want) => {
    expect(classify(plain('', method), cfg({ methods: 'POST' }), 'up')).toBe(want);
  });

  it('paused + manual_resume ignores every ping, even fail and start', () => {
    for (const action of ['success', 'fail', 'start'] as const) {
      expect(classify({ action, method: 'GET', bodyText: '', explicit: true }, cfg({ manualResume: true }), 'paused')).toBe('ign');
    }
    expect(classify(plain(''), cfg({ manualResume: true }), 'up')).toBe('success');
    expect(classify(plain(''), cfg({ manualResume: false }), 'paused')).toBe('success');
  });

  const kw = cfg({ filterHttpBody: true, successKw: 'SUCCESS, done', failureKw: 'ERROR,FATAL', startKw: 'Starting' });
  it.each([
    ['backup SUCCESS', 'success'],
    ['all done', 'success'],
    ['ERROR: disk full', 'fail'],
    ['SUCCESS then ERROR', 'fail'], // failure before success
    ['Starting backup', 'start'],
    ['Starting … done', 'success'], // success before start
    ['error in lowercase', 'ign'], // case-sensitive
    ['nothing matched', 'ign'],
    ['', 'ign'],
  ])('keyword filter: %j → %s', (body, want) => {
    expect(classify(plain(body), kw, 'up')).toBe(want);
  });

  it('filter_default_fail turns an unmatched body into a failure', () => {
    expect(classify(plain('nothing matched'), { ...kw, filterDefaultFail: true }, 'up')).toBe('fail');
  });

  it('keyword filters leave URLs that name their action alone', () => {
    expect(classify({ action: 'fail', method: 'POST', bodyText: 'SUCCESS', explicit: true }, kw, 'up')).toBe('fail');
    expect(classify({ action: 'success', method: 'POST', bodyText: 'ERROR', explicit: true }, kw, 'up')).toBe('success');
  });

  it('methods=POST wins over keyword filters', () => {
    expect(classify(plain('ERROR', 'GET'), { ...kw, methods: 'POST' }, 'up')).toBe('ign');
  });

  it('splits keyword lists on commas and drops blanks', () => {
    expect(keywords(' a, b ,,c ,')).toEqual(['a', 'b', 'c']);
    expect(keywords('')).toEqual([]);
  });
});
