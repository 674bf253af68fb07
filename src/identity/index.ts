/**
 * SPIFFE X.509-SVID core: IDs, DER, certificate issuance, rotation schedule and trust bundles.
 * Pure apart from randomness and node:crypto; the Kubernetes side lives in the controllers.
 */
export { IdentityError } from './errors.ts';
export { caSpiffeId, formatSpiffeId, parseServiceSpiffeId, parseSpiffeId, serviceSpiffeId, validatePath, validateSegment, validateTrustDomain, type LeaseRef, type SpiffeId } from './spiffe-id.ts';
export { certificatesToPem, pemBlocks, pemCertificates, toPem, type PemBlock } from './pem.ts';
export { certificateParts, type CertificateParts } from './der-reader.ts';
export { generateP256, type P256KeyPair } from './ec-keys.ts';
export type { DistinguishedName } from './x509-parts.ts';
export { issuerFromPem, makeIssuer, sanUris, type Issuer, type IssuerOptions, type PemIssuerInput } from './issuer.ts';
export { BACKDATE_MS, createSelfSignedCa, issueSvid, issueSvidWithKey, issuerFromCa, randomSerial, svidChainDer, type CaKeyPair, type CaRequest, type IssuedSvid, type SvidRequest } from './x509.ts';
export { applyCaAction, caEntry, caPlan, caSchedule, drainedAt, rotateAt, type CaAction, type CaEntry, type CaPlanResult, type CaSet, type RetiredCa } from './rotation.ts';
export { bundleDer, bundleJwks, bundlePem, parseJwksBundle, type JwksOptions, type ParsedJwks, type SpiffeJwks, type X509SvidJwk } from './bundle.ts';
