/**
 * The dialer's certificate tooling, for tests of the Omni side: the integration never imports the simulator, so its
 * tests get certificates (a CA, the dialer's server certificate, broken variants) through the harness.
 */
export { issueCertificate, validityWindow } from '../simulator/certs/authority.ts';
export * from '../simulator/certs/index.ts';
