import { describe, expect, it } from 'vitest';
import { compileRouteMatcher } from './route-match.ts';

const routes = [
  { id: 'agents.get', method: 'get', path: '/agents/{dialerUser}' },
  { id: 'agents.login', method: 'post', path: '/agents/login' },
  { id: 'agents.pause', method: 'post', path: '/agents/{dialerUser}/pause' },
  { id: 'agents.create', method: 'post', path: '/agents' },
  { id: 'calls.get', method: 'get', path: '/calls/:id' },
];
const routeOf = compileRouteMatcher(routes, '/api/v1');

describe('compileRouteMatcher', () => {
  it('finds the route of a method and a full path, {param} and :param alike', () => {
    expect(routeOf('GET', '/api/v1/agents/ana')).toBe('agents.get');
    expect(routeOf('post', '/api/v1/agents/ana/pause')).toBe('agents.pause');
    expect(routeOf('POST', '/api/v1/agents')).toBe('agents.create');
    expect(routeOf('GET', '/api/v1/calls/c-1')).toBe('calls.get');
    expect(routeOf('HEAD', '/api/v1/calls/c-1')).toBe('calls.get');
  });

  it('a literal segment wins over a parameter, whatever the order of the table', () => {
    expect(routeOf('POST', '/api/v1/agents/login')).toBe('agents.login');
    expect(compileRouteMatcher([...routes].reverse(), '/api/v1')('POST', '/api/v1/agents/login')).toBe('agents.login');
  });

  it('matches nothing else: another method, base, depth, an empty segment or a trailing slash', () => {
    for (const [method, path] of [
      ['DELETE', '/api/v1/agents/ana'],
      ['GET', '/api/v2/agents/ana'],
      ['GET', '/api/v1/agents/ana/status'],
      ['GET', '/api/v1/agents/'],
      ['POST', '/api/v1/agents//pause'],
      ['GET', '/agents/ana'],
    ] as const)
      expect(routeOf(method, path), `${method} ${path}`).toBeUndefined();
  });
});
