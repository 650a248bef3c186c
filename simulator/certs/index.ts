/**
 * The Discador DS certificates: a local CA, the dialer's server certificate, client certificates for mTLS and a set
 * of broken variants for negative tests. See README.md in this folder.
 */
export {
  type AltName,
  CA_COMMON_NAME,
  canonicalIp,
  DEFAULT_SERVER_ALT_NAMES,
  type KeyedCertificate,
  parseHost,
  SERVER_COMMON_NAME,
  serverAltNames,
} from './authority.ts';
export { type BrokenCertificate, OTHER_CA_COMMON_NAME, WRONG_HOST, writeBrokenCertificates } from './broken.ts';
export {
  CERT_EXTENSIONS,
  type CertificateFiles,
  type CertificateMaterial,
  type CertificateOptions,
  type CertificateSet,
  type CertificateStatus,
  certificateFiles,
  checkClientName,
  DEFAULT_CA_DAYS,
  DEFAULT_LEAF_DAYS,
  defaultCertsDir,
  ensureCertificates,
  initCertificates,
  issueClientCertificate,
} from './store.ts';
