/**
 * @ctwatch/ct: pure Certificate Transparency parsing (no network, filesystem or Kafka).
 * RFC 6962 entries, static-ct-api tiles, X.509 fields, issuance keys, Merkle trees, checkpoints.
 */
export {
  type Checkpoint,
  CtVerifyError,
  type CtVerifyErrorCode,
  formatRfc6962Checkpoint,
  NOTE_SIGNATURE_TYPE_RFC6962,
  type NoteSignature,
  noteKeyId,
  parseCheckpoint,
  parseRfc6962NoteSignature,
  parseSignedNote,
  rfc6962NoteKeyId,
  type SignedNote,
  type SignedNoteOptions,
  type SthJson,
  type TreeHead,
  treeHeadSignatureInput,
  type VerifiedCheckpoint,
  verifyRfc6962Checkpoint,
  verifySth,
  verifyTreeHeadSignature,
} from "./checkpoint.js";
export {
  collapsedTreeFromInclusionProof,
  compactRange,
  type HashTileSlice,
  hashTileForNode,
  nodeHashFromTile,
  type TreeNode,
} from "./compact-range.js";
export { type CtLogKey, ctLogKey } from "./ct-log-key.js";
export { CtParseError, type CtParseErrorCode, isCtParseError } from "./ct-parse-error.js";
export {
  DEFAULT_MAX_DER_DEPTH,
  type DerElement,
  DerReader,
  DerTag,
  decodeBoolean,
  decodeOid,
  decodeSmallInteger,
  decodeString,
  decodeTime,
  encodeDer,
  encodeDerLength,
  encodeOid,
  readDer,
  toHex,
  type ValidateDerOptions,
  validateDer,
} from "./der.js";
export {
  type DigitallySigned,
  encodeDigitallySigned,
  HASH_SHA256,
  parseDigitallySigned,
  SIGNATURE_ECDSA,
  SIGNATURE_RSA,
  verifyDigitallySigned,
} from "./digitally-signed.js";
export {
  ISSUANCE_KEY_STRIPPED_OIDS,
  issuanceKey,
  stripCtExtensions,
  strippedTbsParts,
} from "./issuance-key.js";
export {
  buildLogEntry,
  DEFAULT_MAX_CHAIN_LENGTH,
  type LogEntry,
  type LogEntryOptions,
  type LogEntryParts,
  type LogEntryType,
} from "./log-entry.js";
export {
  consistencyProof,
  emptyRoot,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  MerkleCollapsedTree,
  merkleTreeHash,
  nodeHash,
  parseHashTile,
  verifyConsistencyProof,
  verifyInclusionProof,
} from "./merkle.js";
export { Oid } from "./oids.js";
export {
  decodeBase64,
  type ExtraData,
  type MerkleTreeLeaf,
  parseExtraData,
  parseGetEntriesItem,
  parseMerkleTreeLeaf,
  parseRfc6962Entry,
  type Rfc6962EntryInput,
  type TimestampedEntry,
} from "./rfc6962.js";
export {
  DEFAULT_MAX_SCTS,
  type PrecertSignedEntry,
  parseSctList,
  precertSctSignatureInput,
  type SignedCertificateTimestamp,
  verifyPrecertSct,
} from "./sct.js";
export { sha256 } from "./sha256.js";
export {
  type CtExtension,
  type DataTileOptions,
  DEFAULT_MAX_TILE_BYTES,
  decompressTile,
  leafIndexFromExtensions,
  parseCtExtensions,
  parseDataTile,
  parseTilePath,
  splitDataTile,
  TILE_WIDTH,
  type TileCoordinates,
  type TileLeaf,
  tileLeafMerkleTreeLeaf,
  tileLeafToLogEntry,
  tilePath,
} from "./static-ct.js";
export { TlsReader } from "./tls-reader.js";
export {
  type Certificate,
  type CertificateExtension,
  type CertificateStructure,
  certificateFromStructure,
  certificateIssuerInfo,
  DEFAULT_MAX_CERTIFICATE_SIZE,
  DEFAULT_MAX_NAME_LENGTH,
  DEFAULT_MAX_SANS,
  escapeDnValue,
  type FormattedName,
  formatIpAddress,
  formatName,
  type ParseCertificateOptions,
  parseCertificate,
  parseCertificateStructure,
  parseTbsCertificate,
  type TbsCertificate,
} from "./x509.js";
