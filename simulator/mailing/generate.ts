import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { base, Faker, pt_BR } from '@faker-js/faker';
import {
  type Ddd,
  GenerateMailingRequest,
  type GenerateMailingRequestInput,
  type Lead,
  type PhoneType,
} from '../../contract/mailing.ts';
import { AppError } from '../../core/errors.ts';
import { type Random, seededRandom } from '../../core/random.ts';
import { AREA_CODES, type AreaCode } from './area-codes.ts';
import { generateCpf } from './cpf.ts';

/** Rough share of a mailing's leads per DDD: the big metro areas weigh more, every other DDD 1. */
const DDD_WEIGHT: Partial<Record<Ddd, number>> = {
  '11': 20,
  '21': 9,
  '31': 5,
  '41': 3,
  '51': 3,
  '61': 3,
  '71': 3,
  '81': 3,
  '85': 3,
  '19': 3,
  '62': 2,
  '92': 2,
  '91': 2,
};

const WEIGHTED_AREAS: readonly { area: AreaCode; upTo: number }[] = (() => {
  let total = 0;
  const out = AREA_CODES.map((area) => {
    total += DDD_WEIGHT[area.ddd] ?? 1;
    return { area, upTo: total };
  });
  return out.map((w) => ({ area: w.area, upTo: w.upTo / total }));
})();

function pickArea(rng: Random): AreaCode {
  const x = rng();
  return (WEIGHTED_AREAS.find((w) => x < w.upTo) ?? WEIGHTED_AREAS[WEIGHTED_AREAS.length - 1]!).area;
}

const MOBILE_SHARE = 0.75;

function digits(rng: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 10);
  return s;
}

/** A mobile is 9 + [6-9] + 7 digits (the ranges in use), a landline [2-5] + 7 digits. */
function phoneNumber(rng: Random, type: PhoneType): string {
  return type === 'mobile'
    ? `9${6 + Math.floor(rng() * 4)}${digits(rng, 7)}`
    : `${2 + Math.floor(rng() * 4)}${digits(rng, 7)}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** dd/mm/yyyy, read in UTC so the machine's time zone never changes a mailing. */
const brDate = (d: Date) => `${pad2(d.getUTCDate())}/${pad2(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;

/** 1234.5 → '1.234,50' (pt-BR money without the currency sign; no Intl, so no ICU differences). */
export function brMoney(value: number): string {
  const cents = Math.round(value * 100);
  const int = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${int},${pad2(cents % 100)}`;
}

type FieldGen = (f: Faker) => string;

/** Plausible pt-BR values of the custom fields a collections / telecom mailing usually carries. */
const CUSTOM_FIELD_GENERATORS: Readonly<Record<string, FieldGen>> = {
  produto: (f) =>
    f.helpers.arrayElement([
      'Cartão de Crédito',
      'Empréstimo Pessoal',
      'Crédito Consignado',
      'Financiamento de Veículo',
      'Cheque Especial',
      'Crédito Imobiliário',
      'Conta de Luz',
      'Plano de Telefonia',
      'Internet Banda Larga',
      'Seguro Auto',
    ]),
  valor_divida: (f) => brMoney(f.number.int({ min: 5_000, max: 2_500_000 }) / 100),
  vencimento: (f) => brDate(f.date.between({ from: Date.UTC(2024, 0, 1), to: Date.UTC(2025, 11, 31, 23, 59, 59) })),
  contrato: (f) => f.string.numeric({ length: 10, allowLeadingZeros: false }),
  parcelas: (f) => String(f.helpers.arrayElement([1, 3, 6, 10, 12, 18, 24, 36, 48, 60])),
  dias_atraso: (f) => String(f.number.int({ min: 1, max: 720 })),
  plano: (f) => f.helpers.arrayElement(['Pré-pago', 'Controle', 'Pós-pago', 'Fibra 300 Mega', 'Fibra 600 Mega']),
  segmento: (f) => f.helpers.arrayElement(['Varejo', 'Alta Renda', 'Empresas', 'Universitário', 'Servidor Público']),
  score: (f) => String(f.number.int({ min: 0, max: 1000 })),
  cliente_desde: (f) => brDate(f.date.between({ from: Date.UTC(1995, 0, 1), to: Date.UTC(2024, 11, 31, 23, 59, 59) })),
};

/** A field with no generator of its own gets an opaque code such as 'K7Q2M9XA'. */
const fallbackField: FieldGen = (f) => f.string.alphanumeric({ length: 8, casing: 'upper' });

/** Lead ids of a generated mailing: L000001, L000002… */
export const generatedLeadId = (index: number): string => `L${String(index + 1).padStart(6, '0')}`;

/**
 * A mailing of `size` pt-BR leads. The same seed gives the same mailing byte for byte (and a smaller size gives a
 * prefix of it); 42 and '42' are the same seed. Each lead's phone DDD, city and state agree, its CPF is valid and
 * issued in its state's fiscal region, and its e-mail is derived from its name. All at once: for a large mailing
 * where the event loop must stay free, use `generateMailingBatches`.
 */
export function generateMailing(request: GenerateMailingRequestInput): Lead[] {
  return [...leadsOf(checkRequest(request))];
}

/** Leads generated between two yields to the event loop (about 20 ms of work). */
export const GENERATE_BATCH_SIZE = 1000;

/**
 * The same mailing as `generateMailing`, `batchSize` leads at a time with a yield to the event loop before each
 * batch, so a server generating 100 000 leads keeps answering other requests (and a CLI keeps writing as it goes).
 */
export async function* generateMailingBatches(
  request: GenerateMailingRequestInput,
  batchSize = GENERATE_BATCH_SIZE,
): AsyncGenerator<Lead[]> {
  const leads = leadsOf(checkRequest(request));
  for (;;) {
    await yieldToEventLoop();
    const batch: Lead[] = [];
    for (let next = leads.next(); !next.done; next = leads.next()) {
      batch.push(next.value);
      if (batch.length === batchSize) break;
    }
    if (batch.length > 0) yield batch;
    if (batch.length < batchSize) return;
  }
}

function checkRequest(request: GenerateMailingRequestInput): GenerateMailingRequest {
  const parsed = GenerateMailingRequest.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('MAILING_REQUEST_INVALID', 400, issue.message, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return parsed.data;
}

/** The leads of a mailing, one at a time, from its own seeded generators. */
function* leadsOf({ size, seed, customFields }: GenerateMailingRequest): Generator<Lead> {
  // A Faker of our own: the global one is shared by everything running in this process (tests run in parallel).
  const faker = new Faker({ locale: [pt_BR, base] });
  const seedRng = seededRandom(String(seed), 'mailing/faker');
  faker.seed(Array.from({ length: 4 }, () => Math.floor(seedRng() * 2 ** 32)));
  const rng = seededRandom(String(seed), 'mailing');
  const generators = customFields.map((name) => [name, CUSTOM_FIELD_GENERATORS[name] ?? fallbackField] as const);

  for (let i = 0; i < size; i++) {
    const area = pickArea(rng);
    const city = area.cities[Math.floor(rng() * area.cities.length)]!;
    const phoneType: PhoneType = rng() < MOBILE_SHARE ? 'mobile' : 'landline';
    const phone = `+55${area.ddd}${phoneNumber(rng, phoneType)}`;
    const cpf = generateCpf(rng, area.uf);

    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const name = rng() < 0.4 ? `${firstName} ${faker.person.lastName()} ${lastName}` : `${firstName} ${lastName}`;
    const email = faker.internet.email({ firstName, lastName }).toLowerCase();

    const custom: Record<string, string> = {};
    for (const [field, gen] of generators) custom[field] = gen(faker);

    yield {
      id: generatedLeadId(i),
      name,
      cpf,
      phone,
      phoneType,
      areaCode: area.ddd,
      email,
      city,
      state: area.uf,
      custom,
    };
  }
}
