import { z } from '@hono/zod-openapi';

/** The most leads one mailing (generated or imported) may hold. */
export const MAX_MAILING_SIZE = 100_000;

/** Custom fields a generated mailing carries when the request names none. */
export const DEFAULT_CUSTOM_FIELDS = ['produto', 'valor_divida', 'vencimento'] as const;

/** The 27 federative units (26 states and the Distrito Federal). */
export const UF_CODES = [
  'AC',
  'AL',
  'AM',
  'AP',
  'BA',
  'CE',
  'DF',
  'ES',
  'GO',
  'MA',
  'MG',
  'MS',
  'MT',
  'PA',
  'PB',
  'PE',
  'PI',
  'PR',
  'RJ',
  'RN',
  'RO',
  'RR',
  'RS',
  'SC',
  'SE',
  'SP',
  'TO',
] as const;

export const Uf = z
  .enum(UF_CODES, { error: 'state must be a UF: two capital letters such as SP, RJ or MG' })
  .openapi({ example: 'SP' });
export type Uf = z.infer<typeof Uf>;

/**
 * Every Brazilian area code (DDD) in use, with the UF it belongs to (Anatel's numbering plan, 67 codes).
 * A DDD never spans two UFs.
 */
export const DDD_UF = {
  '11': 'SP',
  '12': 'SP',
  '13': 'SP',
  '14': 'SP',
  '15': 'SP',
  '16': 'SP',
  '17': 'SP',
  '18': 'SP',
  '19': 'SP',
  '21': 'RJ',
  '22': 'RJ',
  '24': 'RJ',
  '27': 'ES',
  '28': 'ES',
  '31': 'MG',
  '32': 'MG',
  '33': 'MG',
  '34': 'MG',
  '35': 'MG',
  '37': 'MG',
  '38': 'MG',
  '41': 'PR',
  '42': 'PR',
  '43': 'PR',
  '44': 'PR',
  '45': 'PR',
  '46': 'PR',
  '47': 'SC',
  '48': 'SC',
  '49': 'SC',
  '51': 'RS',
  '53': 'RS',
  '54': 'RS',
  '55': 'RS',
  '61': 'DF',
  '62': 'GO',
  '63': 'TO',
  '64': 'GO',
  '65': 'MT',
  '66': 'MT',
  '67': 'MS',
  '68': 'AC',
  '69': 'RO',
  '71': 'BA',
  '73': 'BA',
  '74': 'BA',
  '75': 'BA',
  '77': 'BA',
  '79': 'SE',
  '81': 'PE',
  '82': 'AL',
  '83': 'PB',
  '84': 'RN',
  '85': 'CE',
  '86': 'PI',
  '87': 'PE',
  '88': 'CE',
  '89': 'PI',
  '91': 'PA',
  '92': 'AM',
  '93': 'PA',
  '94': 'PA',
  '95': 'RR',
  '96': 'AP',
  '97': 'AM',
  '98': 'MA',
  '99': 'MA',
} as const satisfies Record<string, Uf>;
export type Ddd = keyof typeof DDD_UF;

export const isDdd = (s: string): s is Ddd => Object.hasOwn(DDD_UF, s);

/** The two CPF check digits of its first nine digits (Receita Federal's mod-11 rule). */
export function cpfCheckDigits(nineDigits: string): string {
  const d = [...nineDigits].map(Number);
  const digit = (len: number): number => {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += d[i]! * (len + 1 - i);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  d.push(digit(9));
  d.push(digit(10));
  return `${d[9]}${d[10]}`;
}

/**
 * True for a CPF with valid check digits, formatted ('529.982.247-25') or not ('52998224725').
 * Rejects the eleven repeated-digit numbers (000.000.000-00 … 999.999.999-99), which pass the arithmetic.
 */
export function isValidCpf(cpf: string): boolean {
  const digits = /^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$/.test(cpf) ? cpf.replace(/\D/g, '') : '';
  if (digits.length !== 11 || /^(\d)\1{10}$/.test(digits)) return false;
  return cpfCheckDigits(digits.slice(0, 9)) === digits.slice(9);
}

/** A CPF as the dialer stores it: 11 digits, no punctuation, valid check digits. */
export const Cpf = z
  .string()
  .regex(/^\d{11}$/, {
    error: 'cpf must be 11 digits (punctuation is removed on import; Excel may drop leading zeros)',
    abort: true,
  })
  .refine(isValidCpf, { error: 'cpf check digits are wrong (or all digits are the same): not a valid CPF' })
  .openapi({ example: '52998224725' });

/** '+55' + DDD + number: a mobile is 9 digits starting with 9, a landline 8 digits starting with 2 to 5. */
export const PHONE_PATTERN = /^\+55(\d{2})(9\d{8}|[2-5]\d{7})$/;

export const Phone = z
  .string()
  .regex(PHONE_PATTERN, {
    error: "phone must be '+55' + DDD + number: a mobile is 9 digits starting with 9, a landline 8 digits starting 2-5",
    abort: true,
  })
  .refine((p) => isDdd(p.slice(3, 5)), { error: 'phone area code (DDD) does not exist in Brazil' })
  .openapi({ example: '+5511987654321' });

export const PhoneType = z
  .enum(['mobile', 'landline'], { error: "phoneType must be 'mobile' or 'landline'" })
  .openapi('PhoneType');
export type PhoneType = z.infer<typeof PhoneType>;

/** mobile / landline from an already well-formed phone (see PHONE_PATTERN). */
export const phoneTypeOf = (phone: string): PhoneType => (phone.length === 14 ? 'mobile' : 'landline');

export const AreaCode = z
  .string()
  .refine(isDdd, { error: 'areaCode must be a Brazilian DDD in use, two digits such as 11 or 21' })
  .openapi({ example: '11' });

/** A custom field's name: letters (accents allowed), digits, '_' and '-'. */
export const CustomFieldName = z
  .string()
  .regex(/^[\p{L}\p{N}_-]{1,64}$/u, {
    error: "a custom field name is 1 to 64 letters, digits, '_' or '-' (no spaces, dots or separators)",
  })
  // The document states the pattern itself: zod would print the regex's /u flag into it, which no validator reads.
  .openapi({ example: 'valor_divida', pattern: '^[\\p{L}\\p{N}_-]{1,64}$' });

export const LeadId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, { error: "a lead id is 1 to 64 letters, digits, '.', '_', ':' or '-'" })
  .openapi({ example: 'L000001' });

/** The lead's fields without cross-field checks; derive other schemas from this (refined objects refuse .omit()). */
export const LeadFields = z.object({
  id: LeadId.describe("the lead's id: 'L000001'… for generated mailings, the file's or a uuid for imported ones"),
  name: z
    .string({ error: 'name is required' })
    .trim()
    .min(1, { error: 'name is required' })
    .max(120, { error: 'name is at most 120 characters' })
    .openapi({ example: 'Maria Aparecida Souza' }),
  cpf: Cpf,
  phone: Phone,
  phoneType: PhoneType,
  areaCode: AreaCode,
  email: z
    .email({ error: 'email is not a valid e-mail address (like maria.souza@example.com)' })
    .max(254, { error: 'email is at most 254 characters' })
    .openapi({ example: 'maria.souza@gmail.com' }),
  city: z
    .string({ error: 'city is required' })
    .trim()
    .min(1, { error: 'city is required' })
    .max(80, { error: 'city is at most 80 characters' })
    .openapi({ example: 'São Paulo' }),
  state: Uf,
  custom: z
    .record(CustomFieldName, z.string().max(1000, { error: 'a custom field value is at most 1000 characters' }))
    .default({})
    .describe('campaign-specific fields (product, debt, due date…), all strings')
    .openapi({ example: { produto: 'Cartão de Crédito', valor_divida: '1.234,56', vencimento: '10/03/2025' } }),
});

type LeadShape = z.infer<typeof LeadFields>;

function checkLeadConsistency(lead: Omit<LeadShape, 'id'>, ctx: z.RefinementCtx): void {
  const m = PHONE_PATTERN.exec(lead.phone);
  if (!m) return; // the phone's own issue is reported already
  if (isDdd(lead.areaCode) && lead.areaCode !== m[1]) {
    ctx.addIssue({
      code: 'custom',
      path: ['areaCode'],
      message: `areaCode '${lead.areaCode}' differs from the phone's DDD '${m[1]}'`,
    });
  }
  const type = phoneTypeOf(lead.phone);
  if ((lead.phoneType === 'mobile' || lead.phoneType === 'landline') && lead.phoneType !== type) {
    ctx.addIssue({
      code: 'custom',
      path: ['phoneType'],
      message: `phoneType '${lead.phoneType}' does not match the phone, which is a ${type} number`,
    });
  }
}

/**
 * One person the dialer calls. The phone's DDD must agree with `areaCode` and its length with `phoneType`;
 * `state` is where the person lives and is not forced to match the DDD (people move).
 */
export const Lead = LeadFields.superRefine(checkLeadConsistency).openapi('Lead');
export type Lead = z.infer<typeof Lead>;

/** A lead to import: the dialer assigns an id (a uuid) when none is given. */
export const LeadInput = LeadFields.extend({ id: LeadId.optional() })
  .superRefine(checkLeadConsistency)
  .openapi('LeadInput');
export type LeadInput = z.infer<typeof LeadInput>;

export const GenerateMailingRequest = z
  .object({
    size: z
      .number({ error: 'size must be a number' })
      .int({ error: 'size must be an integer' })
      .min(1, { error: 'size must be at least 1' })
      .max(MAX_MAILING_SIZE, { error: `size must be at most ${MAX_MAILING_SIZE}` })
      .openapi({ example: 1000 }),
    seed: z
      .union([z.string().max(200), z.number().finite()], { error: 'seed must be a string or a number' })
      .describe("same seed, same mailing byte for byte; 42 and '42' are the same seed")
      .openapi({ example: 'campanha-cobranca' }),
    customFields: z
      .array(CustomFieldName)
      .max(50, { error: 'at most 50 custom fields' })
      .refine((names) => new Set(names).size === names.length, { error: 'custom field names must be unique' })
      .default([...DEFAULT_CUSTOM_FIELDS])
      .describe(
        'names of the custom fields to fill; known names (produto, valor_divida, vencimento, contrato, parcelas, ' +
          'dias_atraso, plano, segmento, score, cliente_desde) get plausible values, others a code',
      ),
  })
  .openapi('GenerateMailingRequest');
export type GenerateMailingRequest = z.infer<typeof GenerateMailingRequest>;
export type GenerateMailingRequestInput = z.input<typeof GenerateMailingRequest>;

/** One problem of an imported mailing: the file's line (1 is the header), the column, what to fix. */
export const MailingImportError = z
  .object({
    line: z.number().int().min(0).openapi({ example: 7 }),
    field: z.string().openapi({ example: 'cpf' }),
    message: z
      .string()
      .openapi({ example: 'cpf check digits are wrong (or all digits are the same): not a valid CPF' }),
  })
  .openapi('MailingImportError');
export type MailingImportError = z.infer<typeof MailingImportError>;
