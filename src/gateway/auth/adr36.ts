/**
 * ADR-36 off-chain signing, as Keplr/Leap `signArbitrary` and the chain-sdk's
 * `createOfflineDataSigner` do it (and the Go verifier `chain-sdk:go/util/jwt/es256kadr36.go`
 * re-builds it): the data is wrapped in a legacy-amino StdSignDoc with one `sign/MsgSignData`
 * message, chain id "", account number and sequence 0, an empty fee and memo, serialized as JSON
 * with keys sorted and `&<>` escaped (cosmjs `serializeSignDoc`), then signed with SHA-256.
 *
 * The ES256KADR36 JWT signs the JWS signing string `base64url(header).base64url(payload)` this way,
 * with `signer` = the token's issuer and `data` = standard base64 of the signing string's bytes.
 */

/** `&`, `<`, `>` as cosmjs (and Go's json.Marshal) escape them inside strings. */
function escapeHtml(json: string): string {
  return json.replace(/&/g, '\\u0026').replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
}

/**
 * The exact bytes a wallet signs for `signArbitrary(signer, data)`. The keys are written in sorted
 * order here rather than sorted at run time, so the layout is visible.
 */
export function adr36SignBytes(signer: string, data: Uint8Array): Buffer {
  const doc =
    '{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"",' +
    `"msgs":[{"type":"sign/MsgSignData","value":{"data":${JSON.stringify(Buffer.from(data).toString('base64'))},"signer":${JSON.stringify(signer)}}}],` +
    '"sequence":"0"}';
  return Buffer.from(escapeHtml(doc), 'utf8');
}
