import { CtParseError } from "./ct-parse-error.js";
import {
  buildLogEntry,
  DEFAULT_MAX_CHAIN_LENGTH,
  type LogEntry,
  type LogEntryOptions,
  type LogEntryType,
} from "./log-entry.js";
import { sha256 } from "./sha256.js";
import { TlsReader } from "./tls-reader.js";

/** An RFC 6962 TimestampedEntry (section 3.4), fields as views into the input. */
export interface TimestampedEntry {
  /** Timestamp, ms since the Unix epoch. */
  readonly timestampMs: number;
  readonly entryType: LogEntryType;
  /** x509: the certificate DER (ASN.1Cert); precert: the TBSCertificate DER. */
  readonly signedEntry: Uint8Array;
  /** precert: SHA-256 of the issuer's SubjectPublicKeyInfo (32 bytes); x509: empty. */
  readonly issuerKeyHash: Uint8Array;
  /** CtExtensions (opaque in RFC 6962; static-ct-api logs put `leaf_index` here). */
  readonly extensions: Uint8Array;
  /** The encoded TimestampedEntry itself. */
  readonly raw: Uint8Array;
}

/** An RFC 6962 MerkleTreeLeaf (v1, timestamped_entry), with its Merkle leaf hash. */
export interface MerkleTreeLeaf extends TimestampedEntry {
  /** SHA-256(0x00 || leaf_input). */
  readonly leafHash: Uint8Array;
}

/**
 * Reads one TimestampedEntry at the reader's position (RFC 6962 section 3.4): uint64 timestamp,
 * uint16 entry_type (0 x509_entry, 1 precert_entry), signed_entry (ASN.1Cert<1..2^24-1> or
 * PreCert{issuer_key_hash[32], TBSCertificate<1..2^24-1>}), CtExtensions<0..2^16-1>.
 * Throws {@link CtParseError}.
 */
export function readTimestampedEntry(r: TlsReader, context = "timestamped_entry"): TimestampedEntry {
  const start = r.pos;
  const timestampMs = r.u64(`${context}.timestamp`);
  const t = r.u16(`${context}.entry_type`);
  let entryType: LogEntryType;
  let signedEntry: Uint8Array;
  let issuerKeyHash: Uint8Array;
  if (t === 0) {
    entryType = "x509";
    issuerKeyHash = new Uint8Array(0);
    signedEntry = r.vector(3, `${context}.signed_entry`, 1);
  } else if (t === 1) {
    entryType = "precert";
    issuerKeyHash = r.bytes(32, `${context}.issuer_key_hash`);
    signedEntry = r.vector(3, `${context}.tbs_certificate`, 1);
  } else {
    throw new CtParseError("bad-value", `${context}.entry_type`, r.pos - 2, `entry type ${t}`);
  }
  const extensions = r.vector(2, `${context}.extensions`);
  return {
    timestampMs,
    entryType,
    signedEntry,
    issuerKeyHash,
    extensions,
    raw: r.buf.subarray(start, r.pos),
  };
}

/**
 * Parses a MerkleTreeLeaf (`leaf_input` of get-entries): version v1 (0), leaf_type
 * timestamped_entry (0), TimestampedEntry, nothing after. Throws {@link CtParseError}
 * (`unsupported-version` for another version or leaf type).
 */
export function parseMerkleTreeLeaf(leafInput: Uint8Array): MerkleTreeLeaf {
  const r = new TlsReader(leafInput);
  const version = r.u8("merkle_tree_leaf.version");
  if (version !== 0)
    throw new CtParseError("unsupported-version", "merkle_tree_leaf.version", 0, String(version));
  const leafType = r.u8("merkle_tree_leaf.leaf_type");
  if (leafType !== 0)
    throw new CtParseError("unsupported-version", "merkle_tree_leaf.leaf_type", 1, String(leafType));
  const te = readTimestampedEntry(r);
  r.finish("merkle_tree_leaf");
  return { ...te, leafHash: sha256(Uint8Array.of(0), leafInput) };
}

/** Decoded `extra_data`: the precertificate (precert entries) and the chain, issuer first. */
export interface ExtraData {
  /** PrecertChainEntry.pre_certificate; undefined for x509 entries. */
  readonly preCertificate: Uint8Array | undefined;
  /** certificate_chain / precertificate_chain elements (DER views), issuer first. */
  readonly chain: Uint8Array[];
}

function readCertList(r: TlsReader, context: string, maxChain: number): Uint8Array[] {
  const list = r.vector(3, context);
  const lr = new TlsReader(list);
  const out: Uint8Array[] = [];
  while (lr.remaining > 0) {
    if (out.length >= maxChain)
      throw new CtParseError("too-large", context, lr.pos, `more than ${maxChain} certificates`);
    out.push(lr.vector(3, `${context}[${out.length}]`, 1));
  }
  return out;
}

/**
 * Parses get-entries `extra_data` (RFC 6962 section 4.6): for x509 entries
 * `ASN.1Cert certificate_chain<0..2^24-1>`; for precert entries `PrecertChainEntry`
 * (`ASN.1Cert pre_certificate; ASN.1Cert precertificate_chain<0..2^24-1>`).
 * Throws {@link CtParseError}.
 */
export function parseExtraData(
  entryType: LogEntryType,
  extraData: Uint8Array,
  opts: LogEntryOptions = {},
): ExtraData {
  const maxChain = opts.maxChainLength ?? DEFAULT_MAX_CHAIN_LENGTH;
  const r = new TlsReader(extraData);
  let preCertificate: Uint8Array | undefined;
  if (entryType === "precert") preCertificate = r.vector(3, "extra_data.pre_certificate", 1);
  const chain = readCertList(
    r,
    entryType === "precert" ? "extra_data.precertificate_chain" : "extra_data.certificate_chain",
    maxChain,
  );
  r.finish("extra_data");
  return { preCertificate, chain };
}

/** One RFC 6962 get-entries item with its position. */
export interface Rfc6962EntryInput {
  /** Zero-based index in the log (get-entries `start` + position in the response). */
  readonly leafIndex: number;
  /** MerkleTreeLeaf bytes (base64-decoded `leaf_input`). */
  readonly leafInput: Uint8Array;
  /** base64-decoded `extra_data`. */
  readonly extraData: Uint8Array;
}

/**
 * Parses one RFC 6962 get-entries item into a {@link LogEntry}: the leaf certificate (x509) or the
 * precertificate from extra_data (precert), chain fingerprints (SHA-256 of each chain DER), the
 * chain top's issuer DN and AKI, the issuance key and the Merkle leaf hash.
 * Throws {@link CtParseError}.
 */
export function parseRfc6962Entry(input: Rfc6962EntryInput, opts: LogEntryOptions = {}): LogEntry {
  const leaf = parseMerkleTreeLeaf(input.leafInput);
  const extra = parseExtraData(leaf.entryType, input.extraData, opts);
  return buildLogEntry(
    {
      leafIndex: input.leafIndex,
      timestampMs: leaf.timestampMs,
      entryType: leaf.entryType,
      certificateDer: leaf.entryType === "precert" ? extra.preCertificate! : leaf.signedEntry,
      loggedTbs: leaf.entryType === "precert" ? leaf.signedEntry : undefined,
      chainSha256: extra.chain.map((c) => sha256(c)),
      chainTopDer: extra.chain[extra.chain.length - 1],
      leafHash: leaf.leafHash,
    },
    opts,
  );
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard base64 decoding; `bad-value` on anything else. */
export function decodeBase64(s: string, context: string): Uint8Array {
  if (s.length % 4 !== 0 || !BASE64_RE.test(s))
    throw new CtParseError("bad-value", context, -1, "not base64");
  const b = Buffer.from(s, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Parses one JSON item of a get-entries response (`{leaf_input, extra_data}`, base64) found at
 * `leafIndex`. Throws {@link CtParseError}.
 */
export function parseGetEntriesItem(
  item: { readonly leaf_input: string; readonly extra_data: string },
  leafIndex: number,
  opts: LogEntryOptions = {},
): LogEntry {
  return parseRfc6962Entry(
    {
      leafIndex,
      leafInput: decodeBase64(item.leaf_input, "leaf_input"),
      extraData: decodeBase64(item.extra_data, "extra_data"),
    },
    opts,
  );
}
