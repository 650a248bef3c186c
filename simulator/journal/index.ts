export {
  CountSpec,
  JournalEntry,
  JournalFilter,
  JournalPage,
  JournalQuery,
  VerifyResult,
  VerifySpec,
} from '../../contract/dialer/control/journal.ts';
export {
  BODY_LIMIT_BYTES,
  createJournal,
  type Journal,
  type JournalEnv,
  type JournalOptions,
  type JournalVariables,
  RECORDED_HEADERS,
  redactJsonSecrets,
} from './journal.ts';
export { journalAdminRoutes } from './routes.ts';
