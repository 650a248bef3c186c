import type { CertificateUpload } from '../../core/x509.ts';
import type { CertificateChainLink, CertificateInfo, CertificateView } from './schemas.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** What Omni stores about an accepted upload (the PEM of the trusted certificate is stored beside it). */
export function certificateInfo(c: CertificateUpload, now: number): CertificateInfo {
  return {
    subject: c.subject,
    issuer: c.issuer,
    subjectAltNames: c.subjectAltNames,
    validFrom: c.validFrom,
    validTo: c.validTo,
    fingerprintSha256: c.fingerprintSha256,
    serialNumber: c.serialNumber,
    isCA: c.isCA,
    trust: c.trust,
    chain: c.chain,
    uploadedAt: iso(now),
  };
}

type StoredInfo = Omit<CertificateInfo, 'trust' | 'chain'> & Partial<Pick<CertificateInfo, 'trust' | 'chain'>>;

/** The stored information with its status at `now`. Uploads stored before chains existed were one certificate. */
export function certificateView(stored: StoredInfo, now: number): CertificateView {
  const { uploadedAt: _, trust, chain, ...self } = stored;
  const link: CertificateChainLink = {
    subject: self.subject,
    issuer: self.issuer,
    subjectAltNames: self.subjectAltNames,
    validFrom: self.validFrom,
    validTo: self.validTo,
    fingerprintSha256: self.fingerprintSha256,
    serialNumber: self.serialNumber,
    isCA: self.isCA,
  };
  const status =
    now > Date.parse(stored.validTo) ? 'expired' : now < Date.parse(stored.validFrom) ? 'not_yet_valid' : 'valid';
  return {
    ...link,
    trust: trust ?? (stored.isCA ? 'ca' : 'pinned'),
    chain: chain ?? [link],
    uploadedAt: stored.uploadedAt,
    status,
  };
}
