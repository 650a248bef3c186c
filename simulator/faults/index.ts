export {
  FaultMatch,
  FaultRule,
  FaultRuleInput,
  FaultRuleList,
  FaultSpec,
  LatencyDistribution,
  MAX_LATENCY_MS,
} from '../../contract/dialer/control/faults.ts';
export {
  createFaultInjector,
  type FaultInjector,
  type FaultInjectorOptions,
  RESET_STATUS,
  type StreamDrop,
  sampleLatencyMs,
} from './injector.ts';
export { faultAdminRoutes } from './routes.ts';
