import { describe, expect, it } from 'vitest';
import { DEFAULT_PAUSE_CATALOGUE } from '../../contract/organizations.ts';
import { configTestbed } from '../../harness/config-testbed.ts';
import { nameDifference, pauseCatalogueDrift } from './drift.ts';

const dialer = DEFAULT_PAUSE_CATALOGUE; // LOGIN(1, system), Almoço 2, Banheiro 3, Treinamento 4, Feedback 5
const exact = dialer.filter((e) => !e.system).map((e) => ({ name: e.name, idStatus: e.idStatus }));

describe('nameDifference', () => {
  it('explains a difference by the fewest of case, accents, spaces and Unicode encoding', () => {
    expect(nameDifference('Almoço', 'Almoço')).toEqual([]);
    expect(nameDifference('almoço', 'Almoço')).toEqual(['case']);
    expect(nameDifference('Almoco', 'Almoço')).toEqual(['accents']);
    expect(nameDifference('almoco', 'Almoço')).toEqual(['case', 'accents']);
    expect(nameDifference('Pausa  Café', 'Pausa Café')).toEqual(['spaces']);
    expect(nameDifference('PAUSACAFE', 'Pausa Café')).toEqual(['case', 'accents', 'spaces']);
    expect(nameDifference('Almoc\u0327o', 'Almo\u00e7o')).toEqual(['unicode']);
    expect(nameDifference('Lanche', 'Almoço')).toBeNull();
  });
});

describe('nameDifference, invisible characters', () => {
  it('explains a zero-width or no-break character as invisible characters or spaces', () => {
    expect(nameDifference('Banheiro\u200b', 'Banheiro')).toEqual(['invisible']);
    expect(nameDifference('Pausa\u00a0Café', 'Pausa Café')).toEqual(['spaces']);
    expect(nameDifference('Banheiro ', 'Banheiro')).toEqual(['spaces']);
  });
});

describe('pauseCatalogueDrift', () => {
  it('says exactly how two names differ: a trailing space, with its index and character', () => {
    const omni = exact.map((p) => (p.idStatus === 3 ? { name: 'Banheiro ', idStatus: 3 } : p));
    const [finding] = pauseCatalogueDrift(omni, dialer);
    expect(finding).toMatchObject({
      kind: 'name_differs',
      dialerName: 'Banheiro',
      onlyBy: ['spaces'],
      differences: [{ kind: 'trailing_space', omniIndex: 8, dialerIndex: null, omni: 'U+0020 SPACE', dialer: null }],
    });
    expect(finding!.message).toContain("Omni pause 'Banheiro ' (ID Status 3) is called 'Banheiro' at the dialer");
    expect(finding!.message).toContain('trailing space U+0020 SPACE at index 8 of the Omni name');
  });

  it('names leading spaces, no-break spaces, zero-width characters, case and accents, each where it is', () => {
    const cases: Array<[string, number, string[]]> = [
      [' Almoço', 2, ['leading_space']],
      ['Treinamento\u200b', 4, ['invisible']],
      ['Feed\u00a0back', 5, ['inner_space']],
      ['almoço', 2, ['case']],
      ['Almoco', 2, ['accents']],
    ];
    for (const [name, idStatus, kinds] of cases) {
      const omni = exact.map((p) => (p.idStatus === idStatus ? { name, idStatus } : p));
      const [finding] = pauseCatalogueDrift(omni, dialer);
      expect([name, finding!.kind === 'name_differs' && finding!.differences?.map((d) => d.kind)]).toEqual([
        name,
        kinds,
      ]);
    }
    const [nbsp] = pauseCatalogueDrift(
      [{ name: 'Pausa\u00a0Café', idStatus: 9 }],
      [{ name: 'Pausa Café', idStatus: 9, system: false }],
    );
    expect(nbsp).toMatchObject({
      differences: [{ kind: 'space_character', omniIndex: 5, omni: 'U+00A0 NO-BREAK SPACE', dialer: 'U+0020 SPACE' }],
    });
  });

  it('lists no character differences for names that are simply different', () => {
    const omni = exact.map((p) => (p.idStatus === 5 ? { name: 'Reunião', idStatus: 5 } : p));
    expect(pauseCatalogueDrift(omni, dialer)).toEqual([expect.objectContaining({ onlyBy: null, differences: null })]);
  });

  it('finds nothing when Omni has exactly the dialer’s pauses (system pauses need not be in Omni)', () => {
    expect(pauseCatalogueDrift(exact, dialer)).toEqual([]);
    expect(pauseCatalogueDrift([...exact, { name: 'LOGIN', idStatus: 1 }], dialer)).toEqual([]);
  });

  it('reports a name that differs only by case, accents or spaces, and says which, without mapping it', () => {
    const omni = exact.map((p) =>
      p.idStatus === 2
        ? { id: 'p2', name: 'almoco', idStatus: 2 }
        : p.idStatus === 3
          ? { name: 'BANHEIRO', idStatus: 3 }
          : p.idStatus === 4
            ? { name: 'Treina mento', idStatus: 4 }
            : p,
    );
    const findings = pauseCatalogueDrift(omni, dialer);
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'name_differs',
        pause: { id: 'p2', name: 'almoco', idStatus: 2 },
        dialerName: 'Almoço',
        onlyBy: ['case', 'accents'],
      }),
      expect.objectContaining({ kind: 'name_differs', dialerName: 'Banheiro', onlyBy: ['case'] }),
      expect.objectContaining({ kind: 'name_differs', dialerName: 'Treinamento', onlyBy: ['spaces'] }),
    ]);
    expect(findings[0]!.message).toMatch(/only by upper\/lower case and accents/);
    expect(findings[0]!.message).toContain("rename the Omni pause to 'Almoço'");
  });

  it('reports a name that is simply different under the same ID Status', () => {
    const omni = exact.map((p) => (p.idStatus === 5 ? { name: 'Reunião', idStatus: 5 } : p));
    expect(pauseCatalogueDrift(omni, dialer)).toEqual([
      expect.objectContaining({ kind: 'name_differs', dialerName: 'Feedback', onlyBy: null }),
    ]);
  });

  it('reports an Omni pause whose ID Status the dialer lacks, and the dialer pause Omni lacks', () => {
    const omni = [...exact.filter((p) => p.idStatus !== 5), { name: 'Feedback', idStatus: 50 }];
    const findings = pauseCatalogueDrift(omni, dialer);
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'missing_in_omni', pause: { name: 'Feedback', idStatus: 5 } }),
      expect.objectContaining({
        kind: 'unknown_id_status',
        pause: { name: 'Feedback', idStatus: 50 },
        dialerIdStatus: 5,
        dialerName: 'Feedback',
      }),
    ]);
    expect(findings[1]!.message).toContain('set its ID Status to 5');
  });

  it('reports an unknown ID Status with no similar dialer pause plainly', () => {
    const findings = pauseCatalogueDrift([...exact, { name: 'Ginástica laboral', idStatus: 77 }], dialer);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'unknown_id_status', pause: { idStatus: 77 } });
    expect(findings[0]).not.toHaveProperty('dialerIdStatus');
    expect(findings[0]!.message).toContain('Register it at the dialer, or remove it from Omni');
  });

  it('reports every dialer pause when Omni has none, never the system ones', () => {
    const findings = pauseCatalogueDrift([], dialer);
    expect(findings.map((f) => [f.kind, f.pause.idStatus])).toEqual([
      ['missing_in_omni', 2],
      ['missing_in_omni', 3],
      ['missing_in_omni', 4],
      ['missing_in_omni', 5],
    ]);
  });
});

describe('GET /organizations/{orgId}/pauses/drift', () => {
  it("compares Omni's pauses with the catalogue the dialer answers, for supervisors and admins", async () => {
    const asked: string[] = [];
    const t = configTestbed({
      pauseCatalogue: async (orgId) => {
        asked.push(orgId);
        return dialer;
      },
    });
    await t.config.organizations.create({ id: 'acme', name: 'ACME' });
    t.config.pauses.create('acme', { name: 'almoço', idStatus: 2 });
    t.config.pauses.create('acme', { name: 'Banheiro', idStatus: 3 });
    const res = await t.as({ orgId: 'acme', role: 'supervisor' })('GET', '/organizations/acme/pauses/drift');
    expect(res.status).toBe(200);
    expect(asked).toEqual(['acme']);
    expect(res.body).toMatchObject({ orgId: 'acme', inSync: false });
    expect(
      res.body.findings.map((f: { kind: string; pause: { idStatus: number } }) => [f.kind, f.pause.idStatus]),
    ).toEqual([
      ['name_differs', 2],
      ['missing_in_omni', 4],
      ['missing_in_omni', 5],
    ]);
    expect(res.body.systemPauses).toEqual([{ idStatus: 1, name: 'LOGIN' }]);
    expect(t.config.systemPauses.nameOf('acme', 1)).toBe('LOGIN');
    expect((await t.as({ orgId: 'acme', role: 'agent' })('GET', '/organizations/acme/pauses/drift')).status).toBe(403);
    expect((await t.as({ orgId: 'x', role: 'admin' })('GET', '/organizations/acme/pauses/drift')).status).toBe(403);
  });

  it('is not there without a catalogue reader ("drift" is then just an unknown pause id)', async () => {
    const t = configTestbed();
    await t.config.organizations.create({ id: 'acme', name: 'ACME' });
    const res = await t.as({ orgId: 'acme', role: 'admin' })('GET', '/organizations/acme/pauses/drift');
    expect([res.status, res.body.error.code]).toEqual([404, 'PAUSE_NOT_FOUND']);
  });
});
