import { describe, expect, it } from 'vitest';
import { type LinesToDialInput, linesToDial } from './lines.ts';

const base: LinesToDialInput = {
  mode: 'progressive',
  ratio: 1.5,
  freeAgents: 0,
  callsRinging: 0,
  answeredWaiting: 0,
  pendingLeads: 1_000,
};

const lines = (over: Partial<LinesToDialInput>) => linesToDial({ ...base, ...over });

describe('linesToDial: progressive', () => {
  it('dials one line per free agent, ignoring the ratio', () => {
    expect(lines({ freeAgents: 5 })).toBe(5);
    expect(lines({ freeAgents: 5, ratio: 3 })).toBe(5);
  });

  it('subtracts calls ringing and answered calls waiting', () => {
    expect(lines({ freeAgents: 5, callsRinging: 2 })).toBe(3);
    expect(lines({ freeAgents: 5, callsRinging: 2, answeredWaiting: 1 })).toBe(2);
    expect(lines({ freeAgents: 5, callsRinging: 3, answeredWaiting: 2 })).toBe(0);
  });

  it('never goes below 0 when already over-dialled', () => {
    expect(lines({ freeAgents: 2, callsRinging: 5, answeredWaiting: 3 })).toBe(0);
  });

  it('dials nothing without free agents', () => {
    expect(lines({ freeAgents: 0 })).toBe(0);
  });
});

describe('linesToDial: predictive', () => {
  const predictive = (over: Partial<LinesToDialInput>) => lines({ mode: 'predictive', ...over });

  it('dials ceil(freeAgents * ratio) lines', () => {
    expect(predictive({ freeAgents: 4, ratio: 1.5 })).toBe(6);
    expect(predictive({ freeAgents: 3, ratio: 1.5 })).toBe(5);
    expect(predictive({ freeAgents: 1, ratio: 1.2 })).toBe(2);
    expect(predictive({ freeAgents: 2, ratio: 5 })).toBe(10);
    expect(predictive({ freeAgents: 7, ratio: 1 })).toBe(7);
  });

  it('is not fooled by float noise (10 * 1.1 is 11, not 12)', () => {
    expect(predictive({ freeAgents: 10, ratio: 1.1 })).toBe(11);
    expect(predictive({ freeAgents: 3, ratio: 1.1 })).toBe(4);
  });

  it('subtracts calls ringing and answered calls waiting, min 0', () => {
    expect(predictive({ freeAgents: 4, ratio: 1.5, callsRinging: 2 })).toBe(4);
    expect(predictive({ freeAgents: 4, ratio: 1.5, callsRinging: 2, answeredWaiting: 1 })).toBe(3);
    expect(predictive({ freeAgents: 4, ratio: 1.5, callsRinging: 9 })).toBe(0);
  });

  it('dials nothing without free agents', () => {
    expect(predictive({ freeAgents: 0, ratio: 3 })).toBe(0);
  });
});

describe('linesToDial: scripted', () => {
  it('never dials', () => {
    expect(lines({ mode: 'scripted', freeAgents: 10 })).toBe(0);
    expect(lines({ mode: 'scripted', freeAgents: 10, ratio: 5, maxLinesPerTick: 100 })).toBe(0);
  });
});

describe('linesToDial: caps and edge cases', () => {
  it('never dials more lines than there are pending leads', () => {
    expect(lines({ freeAgents: 10, pendingLeads: 3 })).toBe(3);
    expect(lines({ mode: 'predictive', freeAgents: 10, ratio: 2, pendingLeads: 7 })).toBe(7);
    expect(lines({ freeAgents: 10, pendingLeads: 0 })).toBe(0);
  });

  it('respects maxLinesPerTick when given', () => {
    expect(lines({ freeAgents: 10, maxLinesPerTick: 4 })).toBe(4);
    expect(lines({ mode: 'predictive', freeAgents: 10, ratio: 2, maxLinesPerTick: 5 })).toBe(5);
    expect(lines({ freeAgents: 3, maxLinesPerTick: 4 })).toBe(3);
    expect(lines({ freeAgents: 10, maxLinesPerTick: 0 })).toBe(0);
  });

  it('takes the tightest of all limits', () => {
    expect(
      lines({ mode: 'predictive', freeAgents: 10, ratio: 2, callsRinging: 5, pendingLeads: 12, maxLinesPerTick: 20 }),
    ).toBe(12);
    expect(
      lines({ mode: 'predictive', freeAgents: 10, ratio: 2, callsRinging: 5, pendingLeads: 12, maxLinesPerTick: 8 }),
    ).toBe(8);
    expect(
      lines({ mode: 'predictive', freeAgents: 10, ratio: 2, callsRinging: 18, pendingLeads: 12, maxLinesPerTick: 8 }),
    ).toBe(2);
  });

  it('treats negative or non-finite counts as 0 and always returns a whole number >= 0', () => {
    expect(lines({ freeAgents: -3 })).toBe(0);
    expect(lines({ freeAgents: 5, callsRinging: -2, answeredWaiting: Number.NaN })).toBe(5);
    expect(lines({ freeAgents: 5, pendingLeads: -1 })).toBe(0);
    expect(lines({ freeAgents: Number.POSITIVE_INFINITY })).toBe(0);
    for (let agents = 0; agents < 20; agents++) {
      for (const ratio of [1, 1.1, 1.25, 1.5, 2.3, 5]) {
        const n = lines({ mode: 'predictive', freeAgents: agents, ratio, callsRinging: 1 });
        expect(Number.isInteger(n)).toBe(true);
        expect(n).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
