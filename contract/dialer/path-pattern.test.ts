import { describe, expect, it } from 'vitest';
import { compilePathPattern, matchesPath, PathPattern, pathPatternProblem } from './path-pattern.ts';

describe('path patterns', () => {
  it('matches exact paths exactly', () => {
    expect(matchesPath('/api/v1/calls', '/api/v1/calls')).toBe(true);
    expect(matchesPath('/api/v1/calls', '/api/v1/calls/')).toBe(false);
    expect(matchesPath('/api/v1/calls', '/api/v1/call')).toBe(false);
    expect(matchesPath('/api/v1/calls', '/api/v1/calls/1')).toBe(false);
  });

  it('* in the middle is exactly one non-empty segment', () => {
    const m = compilePathPattern('/api/v1/calls/*/disposition');
    expect(m('/api/v1/calls/c-1/disposition')).toBe(true);
    expect(m('/api/v1/calls/c-2/disposition')).toBe(true);
    expect(m('/api/v1/calls//disposition')).toBe(false);
    expect(m('/api/v1/calls/a/b/disposition')).toBe(false);
    expect(m('/api/v1/calls/c-1/disposition/x')).toBe(false);
    expect(m('/api/v1/calls/c-1/hangup')).toBe(false);
  });

  it('a trailing * matches the prefix itself and everything below it', () => {
    const m = compilePathPattern('/api/v1/*');
    expect(m('/api/v1')).toBe(true);
    expect(m('/api/v1/')).toBe(true);
    expect(m('/api/v1/calls')).toBe(true);
    expect(m('/api/v1/calls/42/disposition')).toBe(true);
    expect(m('/api/v10')).toBe(false);
    expect(m('/api')).toBe(false);
    expect(m('/other/v1/calls')).toBe(false);
  });

  it('/* matches every path', () => {
    for (const p of ['/', '/a', '/a/b/c']) expect(matchesPath('/*', p)).toBe(true);
  });

  it('combines middle and trailing wildcards', () => {
    const m = compilePathPattern('/api/*/calls/*');
    expect(m('/api/v1/calls')).toBe(true);
    expect(m('/api/v2/calls/1/events')).toBe(true);
    expect(m('/api/v2/agents/1')).toBe(false);
  });

  it('rejects unusable patterns', () => {
    expect(pathPatternProblem('api/v1')).toMatch(/starts with/);
    expect(pathPatternProblem('/api/calls*')).toMatch(/whole path segment/);
    expect(pathPatternProblem('/api?x=1')).toMatch(/without \?/);
    expect(pathPatternProblem('/api/*/x')).toBeUndefined();
    expect(() => compilePathPattern('/a**')).toThrow(RangeError);
    expect(PathPattern.safeParse('/ok/*').success).toBe(true);
    expect(PathPattern.safeParse('/no*').success).toBe(false);
    expect(PathPattern.safeParse('').success).toBe(false);
  });
});
