import { distance } from "fastest-levenshtein";
import { parse } from "tldts";
import { classifyEdit } from "./classify-edit.js";
import { COMMON_WORDS } from "./common-words.js";
import { FOREIGN_WORDS } from "./foreign-words.js";
import { FREQUENT_ENGLISH_WORDS } from "./frequent-words.js";
import {
  EVENT_SIMILAR_DOMAIN,
  EVENT_SIMILAR_DOMAIN_DIFFERENT_TLD,
  type LookalikeMatch,
} from "./lookalike-match.js";
import { NAME_AFFIXES } from "./name-affixes.js";
import { normalizeName } from "./normalize-name.js";
import { parseWatchedDomain } from "./parse-watched-domain.js";
import { PHISHING_KEYWORDS, STRONG_PHISHING_KEYWORDS } from "./phishing-keywords.js";
import { isPlaceName } from "./place-names.js";
import { isPopularDomain } from "./popular-domain-filter.js";
import { looseSkeleton, skeleton } from "./skeleton.js";
import type { Technique } from "./technique.js";
import { WatchlistError, type WatchlistIssue } from "./watchlist-error.js";

/** One watched brand of one tenant, as configured. */
export interface WatchedBrandInput {
  readonly tenantId: string;
  /** A registrable domain, e.g. `paypal.com` (Unicode or punycode). */
  readonly domain: string;
  /** Names (and their subdomains) this tenant never wants alerts for. Merged per tenant. */
  readonly allowlist?: readonly string[];
  /** Domains the tenant owns: they and their subdomains never alert. Merged per tenant. */
  readonly ownedDomains?: readonly string[];
}

/** Tuning knobs; the defaults are the ones measured in the README. */
export interface LookalikeIndexOptions {
  /** Minimum brand label length for edit-distance techniques (Chromium uses 5). Default 5. */
  readonly minTypoLength?: number;
  /**
   * Minimum brand skeleton length for two edits at once (`myefherwallett` for
   * `myetherwallet`), found through a table of trigram pieces (pigeonhole) and confirmed by
   * Levenshtein distance. `Infinity` switches multi-edit matching off (as in Chromium).
   * Default 10; a brand gets at most floor(length / 3) - 1 edits.
   */
  readonly longLabelMinLength?: number;
  /**
   * Minimum brand skeleton length for three edits at once (`myelherwolet`); needs
   * `longLabelMinLength` too. `Infinity` keeps it at two. Default 13.
   */
  readonly threeEditMinLength?: number;
  /** Minimum brand label length for the loose homoglyph classes. Default 6. */
  readonly minLooseHomoglyphLength?: number;
  /** Minimum brand label length for combosquatting and target embedding. Default 4. */
  readonly minCombosquatLength?: number;
  /**
   * Minimum brand label length for a hyphen-separated brand token without any keyword
   * (`paypal-tools.com`); 0 disables that rule. Brands that are common words always need a
   * keyword. Default 5.
   */
  readonly minBareTokenLength?: number;
  /**
   * Minimum length of a brand label (that is not a common word) found anywhere inside the
   * registrable label (`paypaldeals`, `mypaypal-shop`) to count as a combosquat even
   * without a keyword, provided what is glued to it reads as words, keywords or a number;
   * 0 disables. Default 5.
   */
  readonly minContainedBrandLength?: number;
  /**
   * A contained brand of at least this many letters that is not a word, does not split into
   * words and has no hyphen counts whatever is glued to it (`bloombergapa`, `wikipediaaset`),
   * not only words, keywords or numbers. 0 disables; only with `minContainedBrandLength`.
   * Default 9.
   */
  readonly minAnyGlueBrandLength?: number;
  /** Words that make `brand+word` a combosquat. Default {@link PHISHING_KEYWORDS}. */
  readonly keywords?: readonly string[];
  /**
   * Keywords that count next to a brand that is a common word (`office`, `line`).
   * Default {@link STRONG_PHISHING_KEYWORDS}; only those also in `keywords` are used.
   */
  readonly strongKeywords?: readonly string[];
  /** Alert on the brand label as a whole subdomain label of another site (`paypal.evil.net`). Default true. */
  readonly matchSubdomainBrandLabel?: boolean;
  /** Minimum brand label length for `subdomain-brand`. Default 6. */
  readonly minSubdomainBrandLength?: number;
  /**
   * Minimum brand label length for a whole subdomain label one edit from the brand
   * (`myetherwalet.heliohost.org`), as `subdomain-brand`; 0 disables. Only with
   * `matchSubdomainBrandLabel`. Off by default: at 9, +0.3 / +0.1 point of real-phishing
   * recall (design / held out) for about 10% of the throughput (package README). A typo
   * followed by the brand's suffix (`blockchaln.com.14secure.host`) is target embedding and
   * always alerts. Default 0.
   */
  readonly minSubdomainTypoLength?: number;
  /** Skip edits of the first character (`hank`/`tank`), as Chromium does. Default false. */
  readonly ignoreFirstCharEdits?: boolean;
  /**
   * Minimum brand label length for a one-letter substitution that is neither a keyboard
   * neighbour, a bit flip, a vowel swap nor a glyph pair. Default 9.
   */
  readonly minGenericSubstitutionLength?: number;
  /**
   * Skip edit-distance matches whose label is a common word: English (`stat` vs `state`) or
   * of another large Latin-script language, accents stripped (`agora` vs `agoda`). Default true.
   */
  readonly skipDictionaryWordTypos?: boolean;
  /**
   * Ignore what the registrable label of a popular site looks like (the registrable domains
   * of the Chrome UX Report top-1M origins, {@link isPopularDomain}): a real site one edit
   * away from a brand (`notino.sk` / `notion.site`) or a brand's own popular site
   * (`aboutamazon.com`) is not an impersonation to triage. IDN homographs, event 13 (same
   * label, other suffix) and everything found in subdomain labels (`paypal.com.x.popular.net`,
   * `pay.pal.com`: anyone may get a subdomain on a popular platform) still alert. Default true.
   */
  readonly exemptPopularDomains?: boolean;
  /**
   * Drop matches whose `score` is below this, in [0, 1]: an operating point between recall
   * and alerts on benign names (measured per score in the package README: from 0.8, about
   * 0.01% of popular names raise an unrelated alert, at about 60% recall). Default 0 (all).
   */
  readonly minScore?: number;
}

/**
 * The compiled index over every tenant's watched brands. Immutable after build; `match`
 * is synchronous and uses per-index scratch space, so build one index per worker thread.
 */
export interface LookalikeIndex {
  /**
   * Every tenant whose watched brands `name` imitates (one match per tenant, its best
   * brand first), best first. Never throws: invalid names (bad characters, overlong,
   * invalid punycode, IPs, unknown suffixes) return []. A leading `*.` is stripped.
   */
  match(name: string): LookalikeMatch[];
  /**
   * Whether `name` is the tenant's: one of its brand domains, owned or allowlisted names, or
   * a subdomain of one (the names `match` never reports for that tenant). Never throws;
   * invalid names and unknown tenants give false. A leading `*.` is stripped.
   */
  ownedBy(tenantId: string, name: string): boolean;
  /** Number of distinct (tenant, brand domain) entries. */
  readonly brandCount: number;
  /** Number of tenants. */
  readonly tenantCount: number;
  /** Number of keys in the edit-distance (deletion-neighbourhood) map. */
  readonly deletionKeyCount: number;
  /**
   * Watchlist values left out because they were invalid: empty unless the index was built
   * with `skipInvalid` (otherwise an invalid value makes the build throw).
   */
  readonly issues: readonly WatchlistIssue[];
}

/** How an index is built (not how it matches). */
export interface LookalikeBuildOptions {
  /**
   * Leave invalid values out (each listed in `index.issues`) instead of throwing a
   * {@link WatchlistError}: a bad brand is dropped, a bad owned/allowlisted name is dropped
   * and its brand kept. For services that must keep running on a stored watch list; an API
   * that accepts entries should refuse them up front with {@link parseWatchedDomain}.
   * Default false.
   */
  readonly skipInvalid?: boolean;
  /** Inputs validated or brands indexed between two yields of {@link lookalikeIndexBuildSteps}. Default 1000. */
  readonly stepSize?: number;
}

/** Progress reported between the steps of {@link lookalikeIndexBuildSteps}. */
export interface LookalikeBuildProgress {
  /** `validate`: parsing the inputs; `index`: adding brands to the lookup maps. */
  readonly phase: "validate" | "index";
  /** Items of this phase done so far. */
  readonly done: number;
  /** Items of this phase in total. */
  readonly total: number;
}

interface Brand {
  readonly tenant: number;
  readonly tenantId: string;
  readonly domain: string;
  readonly label: string;
  readonly unicodeLabel: string;
  readonly suffix: string;
  readonly suffixLabels: readonly string[];
  /** What `brandSUFFIX` may glue on: the whole suffix without dots ("couk"), its first and last label. */
  readonly gluedTails: readonly string[];
  readonly skel: string;
  /** Length of the Unicode label in code points. */
  readonly len: number;
  /** Whether the label is a common English word or a place name (`live`, `office`, `canada`). */
  readonly word: boolean;
  /** Whether the label splits into common words (`snapchat`, `microsoft`, `youtube`). */
  readonly compound: boolean;
  /**
   * Keywords that make `brand+keyword` a combosquat: the strong ones for a frequent English
   * word or a place (`office`, `line`, `canada`), every keyword for any other brand, a rarer
   * word included (`discord-support`, `adobe-portal`).
   */
  readonly comboKeywords: ReadonlySet<string>;
  /** Whether only strong keywords make a combosquat (see `comboKeywords`). */
  readonly strongOnly: boolean;
}

/** A token of letters ending in a short number (`office365`): the letters, then the digits. */
const NUMBERED_TOKEN = /^(.*[a-z])([0-9]{1,4})$/;

interface Tenant {
  readonly id: string;
  readonly owned: Set<string>;
}

interface Hit {
  techniques: Set<Technique>;
  score: number;
  imitation: string;
  skel: string;
  /** Whether a subdomain label contributed (label split, tokens or brand labels left of the registrable label). */
  subdomain: boolean;
}

const TECHNIQUE_ORDER: readonly Technique[] = [
  "idn-homograph",
  "homoglyph",
  "target-embedding",
  "combosquat",
  "label-split",
  "bitsquatting",
  "transposition",
  "vowel-swap",
  "repetition",
  "hyphenation",
  "addition",
  "insertion",
  "omission",
  "replacement",
  "substitution",
  "edit-distance-2",
  "edit-distance-3",
  "subdomain-brand",
  "tld-swap",
];
const TECHNIQUE_RANK = new Map(TECHNIQUE_ORDER.map((t, i) => [t, i]));
const HOMOGLYPH: readonly Technique[] = ["homoglyph"];
const IDN_HOMOGLYPH: readonly Technique[] = ["idn-homograph", "homoglyph"];

const PARSE_OPTIONS = {
  allowPrivateDomains: true,
  extractHostname: false,
  validateHostname: false,
  detectIp: false,
  mixedInputs: false,
} as const;

const DIGIT_RE = /[0-9]/;
const ASCII_RE = /^[ -~]*$/; // printable ASCII (tokens are normalised DNS labels)

const HASH_BASE = 0x01000193;
const HASH_MASK = 0x3fffffff; // 30 bits: small-integer Map keys
const POW = new Int32Array(600);
POW[0] = 1;
for (let i = 1; i < POW.length; i++) POW[i] = Math.imul(POW[i - 1] as number, HASH_BASE);

/** Polynomial hash (mod 2^32, masked to 30 bits) of the UTF-16 code units of `s`. */
function hashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, HASH_BASE) + s.charCodeAt(i)) | 0;
  return (h >>> 0) & HASH_MASK;
}

/**
 * One bit per value of the low 20 bits of a map's keys (128 KiB, no false negatives): a
 * clear bit means the key is not in the map, without a Map lookup.
 */
type BitFilter = Int32Array;

function setBit(bits: BitFilter, key: number): void {
  bits[(key >>> 5) & 0x7fff] = (bits[(key >>> 5) & 0x7fff] as number) | (1 << (key & 31));
}

function hasBit(bits: BitFilter, key: number): boolean {
  return ((bits[(key >>> 5) & 0x7fff] as number) & (1 << (key & 31))) !== 0;
}

function pushNum(map: Map<number, number[]>, key: number, id: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

/**
 * Whether `s` (hyphens ignored) splits wholly into words of 3+ letters, common (SCOWL) or
 * frequent (wordfreq: `online`, `american`), and digit runs. Bounded: 63 characters.
 */
function readsAsWords(s: string): boolean {
  const t = s.includes("-") ? s.replaceAll("-", "") : s;
  return t.length > 0 && t.length <= 63 && splitsInto(t, 3, isCommonOrFrequentWord);
}

function isCommonOrFrequentWord(w: string): boolean {
  return COMMON_WORDS.has(w) || FREQUENT_ENGLISH_WORDS.has(w);
}

/**
 * Whether `s` splits wholly into digit runs and words of `minWord` to 20 characters that
 * `isWord` accepts (dynamic programming over the positions a split can reach).
 */
function splitsInto(s: string, minWord: number, isWord: (w: string) => boolean): boolean {
  const n = s.length;
  const reach = new Uint8Array(n + 1);
  reach[0] = 1;
  for (let i = 0; i < n; i++) {
    if (reach[i] === 0) continue;
    let d = i;
    while (d < n && isDigit(s.charCodeAt(d))) d++;
    if (d > i) reach[d] = 1;
    for (let j = i + minWord; j <= n && j - i <= 20; j++) {
      if (reach[j] === 0 && isWord(s.slice(i, j))) reach[j] = 1;
    }
  }
  return reach[n] === 1;
}

/**
 * Whether `label` keeps one part of a compound brand label exactly and rewrites the other,
 * short part (`evosecurity`, `vusecurity` for `duosecurity`; `nanacademy` for `khanacademy`):
 * another name built on the same word, not a typo of the brand. The kept part reads as
 * words (5+ letters); the rewritten one (at most 6 letters) is words or at most 3 letters,
 * and carries edits for at least half its length (`blockhaln` for `blockchain` stays a typo).
 */
function rewritesBrandPart(label: string, brand: string): boolean {
  const n = brand.length;
  const m = label.length;
  let prefix = 0;
  while (prefix < n && prefix < m && label.charCodeAt(prefix) === brand.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < n && suffix < m && label.charCodeAt(m - 1 - suffix) === brand.charCodeAt(n - 1 - suffix))
    suffix++;
  // The brand's tail brand[i..] kept as the label's tail (it must fit in the common suffix),
  // its head brand[..i] rewritten; then the mirror case.
  for (let i = Math.max(1, n - suffix, n - m + 1); i <= Math.min(6, n - 5); i++) {
    if (rewrites(brand.slice(i), brand.slice(0, i), label.slice(0, m - (n - i)))) return true;
  }
  for (let i = Math.max(5, n - 6); i <= Math.min(prefix, n - 1, m - 1); i++) {
    if (rewrites(brand.slice(0, i), brand.slice(i), label.slice(i))) return true;
  }
  return false;
}

function rewrites(kept: string, other: string, rest: string): boolean {
  return (
    2 * distance(other, rest) >= other.length &&
    (other.length <= 3 || readsAsWords(other)) &&
    readsAsWords(kept)
  );
}

/** Every string of `s` with one character deleted, added to `out`. */
function deletions(s: string, out: Set<string>): void {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if (i > 0 && s[i] === s[i - 1]) continue;
    out.add(s.slice(0, i) + s.slice(i + 1));
  }
}

/** Bit (code & 31) set for every character of `s`. */
function charMask(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) m |= 1 << (s.charCodeAt(i) & 31);
  return m;
}

function popCount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Buckets of the build-time trigram frequency table (a power of two). */
const TRIGRAM_COUNT_BITS = 16;

/**
 * 32-bit hash of the trigram of `s` at `p` seen at label offset `offset`; its top bits are
 * the bucket (different trigrams and offsets may share one: candidates are verified).
 */
function trigramHash(s: string, p: number, offset: number): number {
  const h =
    Math.imul(Math.imul(s.charCodeAt(p) + offset * 0x10000, 0x9e3779b1) ^ s.charCodeAt(p + 1), 0x85ebca6b) ^
    s.charCodeAt(p + 2);
  return Math.imul(h, 0xc2b2ae35);
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function lengthFactor(len: number): number {
  return Math.min(1, 0.7 + 0.05 * (len - 4));
}

/** Damerau-style distance capped at 2: Levenshtein, with one adjacent swap counted as 1. */
function typoDistance(a: string, b: string): number {
  const d = distance(a, b);
  if (d !== 2 || a.length !== b.length) return d;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2))
    return 1;
  return d;
}

/**
 * Builds the lookalike index from every tenant's watched brands. Validates all entries
 * first and throws one {@link WatchlistError} listing every refused value (a watched
 * domain that is not a registrable domain, a bad owned/allowlisted name, a missing
 * tenant ID). Duplicate (tenant, domain) entries are merged.
 */
export function buildLookalikeIndex(
  brands: readonly WatchedBrandInput[],
  options: LookalikeIndexOptions = {},
  build: Omit<LookalikeBuildOptions, "stepSize"> = {},
): LookalikeIndex {
  const steps = lookalikeIndexBuildSteps(brands, options, { ...build, stepSize: Number.POSITIVE_INFINITY });
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same build as {@link buildLookalikeIndex}, cut into steps of `stepSize` inputs: the
 * generator yields its progress after each step and returns the index. A caller on an
 * event loop awaits between steps (`await setImmediate()`), so that building a large index
 * never blocks other work for long, and may abandon the build by not resuming it (nothing
 * is shared with a previous index). Throws {@link WatchlistError} like
 * `buildLookalikeIndex`, unless `skipInvalid`.
 */
export function* lookalikeIndexBuildSteps(
  brands: readonly WatchedBrandInput[],
  options: LookalikeIndexOptions = {},
  build: LookalikeBuildOptions = {},
): Generator<LookalikeBuildProgress, LookalikeIndex, void> {
  const step = Math.max(1, build.stepSize ?? 1000);
  const index = new LookalikeIndexImpl(options);
  const issues: WatchlistIssue[] = [];
  for (let i = 0; i < brands.length; i++) {
    index.addInput(brands[i] as WatchedBrandInput, i, issues);
    if ((i + 1) % step === 0 && i + 1 < brands.length) {
      yield { phase: "validate", done: i + 1, total: brands.length };
    }
  }
  if (issues.length > 0 && build.skipInvalid !== true) throw new WatchlistError(issues);
  const total = index.prepare(issues);
  for (let id = 0; id < total; id++) {
    index.indexBrand(id);
    if ((id + 1) % step === 0 && id + 1 < total) yield { phase: "index", done: id + 1, total };
  }
  index.seal();
  return index;
}

class LookalikeIndexImpl implements LookalikeIndex {
  private readonly brands: Brand[] = [];
  private readonly tenants: Tenant[] = [];
  /** ASCII brand label -> brand ids (tld-swap). */
  private readonly labelMap = new Map<string, number[]>();
  /** Brand skeleton -> brand ids (homoglyphs, tokens). */
  private readonly skelMap = new Map<string, number[]>();
  /** Deletion neighbourhood of brand skeletons (edit-distance candidates) -> brand ids. */
  private readonly delMap = new Map<number, number[]>();
  /**
   * {@link BitFilter} of the {@link delMap} keys: most deletion hashes of a label are in no
   * brand's neighbourhood, and the bit answers that without a Map lookup.
   */
  private readonly delBits: BitFilter = new Int32Array(1 << 15);
  /**
   * Trigram pieces of long brand skeletons (multi-edit candidates): a label within k edits
   * of a brand holds one of the brand's k+1 disjoint pieces intact, at most k characters
   * from where it sits in the brand (pigeonhole); each piece is listed under (trigram,
   * offset) for all 2k+1 offsets. Flat, in CSR form: the entries of bucket `t`
   * (top {@link pieceBits} bits of {@link trigramHash}) are, for j from `pieceStarts[t]` to
   * `pieceStarts[t + 1]`, `pieceEntries[3j]` (brand id), `pieceEntries[3j + 1]` (edits
   * allowed << 12 | piece offset << 6 | brand skeleton length) and `pieceEntries[3j + 2]` (the brand's
   * {@link charMask}). Built by {@link seal}; scanned sequentially, no per-key objects.
   */
  private pieceStarts = new Int32Array(2);
  /** Bucket bits of the piece table: about one bucket per entry (12 to 20). */
  private pieceBits = 12;
  private pieceEntries = new Int32Array(0);
  /** Build-time only: (hash, id, edits/offset/length, mask) from {@link indexBrand}. */
  private pendingPieces: number[] = [];
  /** Build-time only: how often each trigram bucket occurs in long brand skeletons. */
  private trigramCounts = new Int32Array(0);
  /** Shortest and longest brand skeleton with pieces (Infinity / 0 when none). */
  private minPieceBrand = Number.POSITIVE_INFINITY;
  private maxPieceBrand = 0;
  /** Per-brand generation stamps of the multi-edit lookup (apart from {@link stamp}). */
  private pieceStamp = new Int32Array(0);
  /** Per brand with pieces: character counts of the skeleton in 64 buckets (code & 63). */
  private pieceHist = new Uint8Array(0);
  /** Per-call scratch: the label's character counts, filled on its first candidate. */
  private readonly labelHist = new Int16Array(64);
  /** Per-call scratch: the buckets the label uses (`labelSlotCount` of them). */
  private readonly labelSlots = new Uint8Array(64);
  private labelSlotCount = 0;
  /** Scratch prefix hashes for {@link deletionHashes}. */
  private readonly prefix = new Int32Array(600);
  /** Loose skeleton -> brand ids. */
  private readonly looseMap = new Map<string, number[]>();
  private readonly keywords: Set<string>;
  private readonly strongKeywords: Set<string>;
  /** First two characters of a keyword -> the lengths of keywords starting so. */
  private readonly keywordStarts: Map<string, number[]>;
  /** Last two characters of a keyword -> the lengths of keywords ending so. */
  private readonly keywordEnds: Map<string, number[]>;
  private generation = 0;
  private readonly minTypo: number;
  private readonly longMin: number;
  private readonly threeEditMin: number;
  private readonly minLoose: number;
  private readonly minCombo: number;
  private readonly minBareToken: number;
  private readonly subdomainBrand: boolean;
  private readonly minSubdomainBrand: number;
  private readonly minSubdomainTypo: number;
  private readonly ignoreFirstChar: boolean;
  private readonly skipWords: boolean;
  private readonly minGenericSubstitution: number;
  private readonly minContained: number;
  private readonly minAnyGlue: number;
  private readonly exemptPopular: boolean;
  private readonly minScore: number;
  /** Hash of the first `minContained` characters of distinctive brand labels -> brand ids. */
  private readonly anchorMap = new Map<number, number[]>();
  /** {@link BitFilter} of the anchor map's keys (most windows of a label anchor no brand). */
  private readonly anchorBits: BitFilter = new Int32Array(1 << 15);
  /** Per-call scratch: whether the labels being matched are subdomain labels (see Hit.subdomain). */
  private inSubdomain = false;
  /** Per-call scratch: hits of the name being matched (match is synchronous). */
  private readonly hits = new Map<number, Hit>();
  /** Per-call scratch: typo hits of one hyphen token ({@link matchTypoTokens}). */
  private readonly tokenHits = new Map<number, Hit>();

  /** Every glued tail of every brand ("com", "couk", "co", "uk"); set by {@link prepare}. */
  private gluedSuffixes = new Set<string>();
  /** The first label of every brand's public suffix (`com`, `co` of `co.uk`). */
  private suffixStarts = new Set<string>();
  /** Last two characters of a glued tail -> the lengths of tails ending so. */
  private gluedSuffixEnds = new Map<string, number[]>();
  /** Per-brand generation stamps: a brand is looked at once per `match`. */
  private stamp = new Int32Array(0);
  private issueList: readonly WatchlistIssue[] = [];
  /** Build-time only: tenant ID -> tenant number, and (tenant, domain) pairs seen. */
  private readonly tenantIndex = new Map<string, number>();
  /** Tenant ID -> tenant, for `ownedBy` (filled by `prepare`). */
  private readonly tenantById = new Map<string, Tenant>();
  private readonly seen = new Set<string>();
  private readonly scratch = new Set<string>();

  constructor(o: LookalikeIndexOptions) {
    this.minTypo = o.minTypoLength ?? 5;
    this.longMin = o.longLabelMinLength ?? 10;
    this.threeEditMin = o.threeEditMinLength ?? 13;
    this.minLoose = o.minLooseHomoglyphLength ?? 6;
    this.minCombo = o.minCombosquatLength ?? 4;
    this.minBareToken = o.minBareTokenLength ?? 5;
    this.subdomainBrand = o.matchSubdomainBrandLabel ?? true;
    this.minSubdomainBrand = o.minSubdomainBrandLength ?? 6;
    this.minSubdomainTypo = o.minSubdomainTypoLength ?? 0;
    this.ignoreFirstChar = o.ignoreFirstCharEdits ?? false;
    this.skipWords = o.skipDictionaryWordTypos ?? true;
    this.minGenericSubstitution = o.minGenericSubstitutionLength ?? 9;
    this.minContained = o.minContainedBrandLength ?? 5;
    const anyGlue = o.minAnyGlueBrandLength ?? 9;
    this.minAnyGlue = anyGlue > 0 ? anyGlue : Number.POSITIVE_INFINITY;
    this.exemptPopular = o.exemptPopularDomains ?? true;
    this.minScore = o.minScore ?? 0;
    if (!(this.minScore >= 0 && this.minScore <= 1)) {
      throw new RangeError(`minScore must be a number between 0 and 1, got ${o.minScore}`);
    }
    this.keywords = new Set((o.keywords ?? PHISHING_KEYWORDS).map((k) => k.toLowerCase()));
    this.strongKeywords = new Set(
      (o.strongKeywords ?? STRONG_PHISHING_KEYWORDS)
        .map((k) => k.toLowerCase())
        .filter((k) => this.keywords.has(k)),
    );
    this.keywordStarts = indexByEdge([...this.keywords], (k) => k.slice(0, 2));
    this.keywordEnds = indexByEdge([...this.keywords], (k) => k.slice(-2));
  }

  /** Validates one input and records its brand (duplicates merged); problems go to `issues`. */
  addInput(input: WatchedBrandInput, index: number, issues: WatchlistIssue[]): void {
    const tenantId = typeof input.tenantId === "string" ? input.tenantId : "";
    if (tenantId === "") {
      issues.push({
        index,
        tenantId,
        field: "tenantId",
        value: String(input.tenantId),
        reason: "missing-tenant",
        message: "tenantId is missing or empty",
      });
    }
    const parsed = parseWatchedDomain(typeof input.domain === "string" ? input.domain : "");
    if (!parsed.ok) {
      issues.push({
        index,
        tenantId,
        field: "domain",
        value: String(input.domain),
        reason: parsed.reason,
        message: parsed.message,
      });
    }
    const owned = this.validateOwned(input, index, tenantId, issues);
    if (!parsed.ok || tenantId === "") return;
    let t = this.tenantIndex.get(tenantId);
    if (t === undefined) {
      t = this.tenants.length;
      this.tenantIndex.set(tenantId, t);
      this.tenants.push({ id: tenantId, owned: new Set() });
    }
    const tenant = this.tenants[t] as Tenant;
    tenant.owned.add(parsed.value.domain);
    for (const d of owned) tenant.owned.add(d);
    const key = `${t}\u0000${parsed.value.domain}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const w = parsed.value;
    const suffixLabels = w.suffix.split(".");
    const place = isPlaceName(w.label);
    const word = COMMON_WORDS.has(w.label) || place;
    const strongOnly = place || (word && FREQUENT_ENGLISH_WORDS.has(w.label));
    this.brands.push({
      tenant: t,
      tenantId,
      domain: w.domain,
      label: w.label,
      unicodeLabel: w.unicodeLabel,
      suffix: w.suffix,
      suffixLabels,
      gluedTails: [
        ...new Set([
          suffixLabels.join(""),
          suffixLabels[0] as string,
          suffixLabels[suffixLabels.length - 1] as string,
        ]),
      ],
      skel: skeleton(w.unicodeLabel),
      len: codePointLength(w.unicodeLabel),
      word,
      compound: splitsIntoWords(w.label),
      comboKeywords: strongOnly ? this.strongKeywords : this.keywords,
      strongOnly,
    });
  }

  /** After every input: sizes the per-brand tables. Returns the number of brands to index. */
  prepare(issues: readonly WatchlistIssue[]): number {
    this.issueList = issues;
    this.seen.clear();
    this.tenantIndex.clear();
    for (const t of this.tenants) this.tenantById.set(t.id, t);
    this.gluedSuffixes = new Set(this.brands.flatMap((b) => b.gluedTails));
    this.gluedSuffixEnds = indexByEdge([...this.gluedSuffixes], (k) => k.slice(-2));
    this.suffixStarts = new Set(this.brands.map((b) => b.suffixLabels[0] as string));
    this.stamp = new Int32Array(this.brands.length);
    this.pieceStamp = new Int32Array(this.brands.length);
    this.pieceHist = new Uint8Array(this.brands.length * 64);
    this.trigramCounts = new Int32Array(1 << TRIGRAM_COUNT_BITS);
    for (let id = 0; id < this.brands.length; id++) {
      const b = this.brands[id] as Brand;
      const k = this.editsFor(b);
      if (k === 0) continue;
      const h = this.pieceHist;
      for (let i = 0; i < b.skel.length; i++) {
        const slot = id * 64 + (b.skel.charCodeAt(i) & 63);
        h[slot] = Math.min(255, (h[slot] as number) + 1);
      }
      for (let p = 0; p + 3 <= b.skel.length; p++) {
        const t = trigramHash(b.skel, p, 0) >>> (32 - TRIGRAM_COUNT_BITS);
        this.trigramCounts[t] = (this.trigramCounts[t] as number) + 1;
      }
      this.minPieceBrand = Math.min(this.minPieceBrand, b.skel.length);
      this.maxPieceBrand = Math.max(this.maxPieceBrand, b.skel.length);
    }
    return this.brands.length;
  }

  /** Adds brand `id` to the lookup maps. */
  indexBrand(id: number): void {
    const b = this.brands[id] as Brand;
    push(this.labelMap, b.label, id);
    if (this.minContained > 0 && !b.word && b.label.length >= this.minContained) {
      const h = hashString(b.label.slice(0, this.minContained));
      pushNum(this.anchorMap, h, id);
      setBit(this.anchorBits, h);
    }
    push(this.skelMap, b.skel, id);
    if (b.len >= this.minLoose) push(this.looseMap, looseSkeleton(b.skel), id);
    if (b.len >= this.minTypo) {
      // Keys from the skeleton and, when folding changed it (cl -> d), from the label as
      // typed too, so that "c-loudflare" still finds "cloudflare".
      const scratch = this.scratch;
      scratch.clear();
      for (const base of b.skel === b.label ? [b.skel] : [b.skel, b.label]) {
        scratch.add(base);
        deletions(base, scratch);
      }
      for (const k of scratch) {
        const h = hashString(k);
        pushNum(this.delMap, h, id);
        setBit(this.delBits, h);
      }
    }
    const k = this.editsFor(b);
    if (k > 0) {
      // The skeleton cut into k+1 segments as even as possible (3+ characters each, since
      // brands with k edits have 3(k+1)+ characters); the piece of a segment is its trigram
      // that is rarest among the brands, so that fewer labels share it by chance.
      const n = b.skel.length;
      for (let i = 0; i <= k; i++) {
        const from = Math.floor((i * n) / (k + 1));
        const to = Math.floor(((i + 1) * n) / (k + 1));
        let best = from;
        for (let p = from + 1; p + 3 <= to; p++) {
          if (
            (this.trigramCounts[trigramHash(b.skel, p, 0) >>> (32 - TRIGRAM_COUNT_BITS)] as number) <
            (this.trigramCounts[trigramHash(b.skel, best, 0) >>> (32 - TRIGRAM_COUNT_BITS)] as number)
          )
            best = p;
        }
        // Under every offset the piece may take after k insertions or deletions before it.
        const mask = charMask(b.skel);
        for (let o = Math.max(0, best - k); o <= best + k; o++) {
          this.pendingPieces.push(trigramHash(b.skel, best, o), id, (k << 12) | (best << 6) | n, mask);
        }
      }
    }
  }

  /** After every brand is indexed: lays the pending pieces out flat (CSR by trigram bucket). */
  seal(): void {
    const pending = this.pendingPieces;
    const count = pending.length / 4;
    let bits = 12;
    while (bits < 20 && 1 << bits < count) bits++;
    const buckets = 1 << bits;
    const shift = 32 - bits;
    const starts = new Int32Array(buckets + 1);
    for (let i = 0; i < pending.length; i += 4) {
      const t = ((pending[i] as number) >>> shift) + 1;
      starts[t] = (starts[t] as number) + 1;
    }
    for (let t = 0; t < buckets; t++) starts[t + 1] = (starts[t + 1] as number) + (starts[t] as number);
    const fill = starts.slice(0, buckets);
    const entries = new Int32Array(count * 3);
    for (let i = 0; i < pending.length; i += 4) {
      const t = (pending[i] as number) >>> shift;
      const j = fill[t] as number;
      fill[t] = j + 1;
      entries[3 * j] = pending[i + 1] as number;
      entries[3 * j + 1] = pending[i + 2] as number;
      entries[3 * j + 2] = pending[i + 3] as number;
    }
    this.pieceBits = bits;
    this.pieceStarts = starts;
    this.pieceEntries = entries;
    this.pendingPieces = [];
    this.trigramCounts = new Int32Array(0);
  }

  /** Counts the characters of `sk` into {@link labelHist} and lists their buckets. */
  private fillLabelHist(sk: string): void {
    const hist = this.labelHist;
    for (let i = 0; i < this.labelSlotCount; i++) hist[this.labelSlots[i] as number] = 0;
    this.labelSlotCount = 0;
    for (let i = 0; i < sk.length; i++) {
      const c = sk.charCodeAt(i) & 63;
      if (hist[c] === 0) this.labelSlots[this.labelSlotCount++] = c;
      hist[c] = (hist[c] as number) + 1;
    }
  }

  /**
   * Bag distance between the label in {@link labelHist} and brand `id` (characters to add
   * or remove, ignoring order), stopping once it exceeds `limit`: `more` counts the
   * label's surplus, and the brand's surplus is `more - lengthDiff`.
   */
  private bagDistance(id: number, lengthDiff: number, limit: number): number {
    const h = this.pieceHist;
    const base = id * 64;
    let more = 0;
    for (let i = 0; i < this.labelSlotCount; i++) {
      const c = this.labelSlots[i] as number;
      const diff = (this.labelHist[c] as number) - (h[base + c] as number);
      if (diff > 0) {
        more += diff;
        if (more > limit) return more;
      }
    }
    const less = more - lengthDiff;
    return Math.max(more, less);
  }

  /**
   * Edits allowed at once for brand `b` (0: one at most, through the deletion map); never
   * more than its k+1 trigram pieces fit (3(k+1) characters), whatever the options say.
   */
  private editsFor(b: Brand): number {
    const n = b.skel.length;
    if (b.word || b.len < this.minTypo || n > 63 || n < this.longMin) return 0;
    const k = Math.min(n >= this.threeEditMin ? 3 : 2, Math.floor(n / 3) - 1);
    return k >= 2 ? k : 0;
  }

  private validateOwned(
    input: WatchedBrandInput,
    index: number,
    tenantId: string,
    issues: WatchlistIssue[],
  ): string[] {
    const owned: string[] = [];
    for (const field of ["ownedDomains", "allowlist"] as const) {
      for (const value of input[field] ?? []) {
        const n = normalizeName(typeof value === "string" ? value : "");
        if (!n.ok) {
          issues.push({
            index,
            tenantId,
            field,
            value,
            reason: n.reason,
            message: `not a valid DNS name (${n.reason})`,
          });
          continue;
        }
        if (parse(n.name.ascii, PARSE_OPTIONS).domain === null) {
          issues.push({
            index,
            tenantId,
            field,
            value,
            reason: "public-suffix",
            message: "a public suffix cannot be owned or allowlisted (it would silence every name under it)",
          });
          continue;
        }
        owned.push(n.name.ascii);
      }
    }
    return owned;
  }

  get brandCount(): number {
    return this.brands.length;
  }

  get tenantCount(): number {
    return this.tenants.length;
  }

  get deletionKeyCount(): number {
    return this.delMap.size;
  }

  get issues(): readonly WatchlistIssue[] {
    return this.issueList;
  }

  ownedBy(tenantId: string, input: string): boolean {
    const tenant = this.tenantById.get(tenantId);
    if (tenant === undefined) return false;
    const norm = normalizeName(input);
    return norm.ok && this.isOwned(tenant, norm.name.ascii);
  }

  match(input: string): LookalikeMatch[] {
    const norm = normalizeName(input);
    if (!norm.ok) return [];
    const name = norm.name;
    const p = parse(name.ascii, PARSE_OPTIONS);
    if (p.domain === null || p.publicSuffix === null || (!p.isIcann && !p.isPrivate)) return [];
    const suffix = p.publicSuffix;
    const labels = name.labels;
    const ulabels = name.unicodeLabels;
    const coreIdx = labels.length - 2 - countDots(suffix);
    if (coreIdx < 0) return [];
    const core = labels[coreIdx] as string;
    const ucore = ulabels[coreIdx] as string;
    const hits = this.hits;
    hits.clear();
    this.inSubdomain = false;

    this.matchCoreLabel(core, ucore, suffix, name.hasIdn && ucore !== core, hits);
    // Token checks run on Unicode labels so that IDN combosquats (pаypal-login) resolve.
    this.matchTokens(ucore, coreIdx, labels, true, hits);
    if (this.anchorMap.size > 0) this.matchContained(core, ucore, hits);
    if (coreIdx > 0) {
      this.inSubdomain = true;
      this.matchLabelSplit(labels, ulabels, coreIdx, hits);
      for (let k = 0; k < coreIdx; k++) {
        this.matchTokens(ulabels[k] as string, k, labels, false, hits);
        this.matchSubdomainTypo(labels[k] as string, ulabels[k] as string, k, labels, hits);
      }
    }
    if (hits.size === 0) return [];
    return this.finish(hits, name.ascii, name.unicode, name.wildcard, p.domain, suffix);
  }

  private hit(
    hits: Map<number, Hit>,
    id: number,
    techniques: readonly Technique[],
    score: number,
    imitation: string,
    skel: string,
  ): void {
    const h = hits.get(id);
    if (h === undefined) {
      hits.set(id, { techniques: new Set(techniques), score, imitation, skel, subdomain: this.inSubdomain });
      return;
    }
    if (this.inSubdomain) h.subdomain = true;
    for (const t of techniques) h.techniques.add(t);
    if (score > h.score) {
      h.score = score;
      h.imitation = imitation;
      h.skel = skel;
    }
  }

  /** Exact label (tld-swap), skeleton (homoglyph), edit distance 1-2 (typos), loose skeleton. */
  private matchCoreLabel(
    core: string,
    ucore: string,
    suffix: string,
    idn: boolean,
    hits: Map<number, Hit>,
  ): void {
    const sk = skeleton(ucore);
    const gen = this.nextGeneration();
    const homoglyph = idn ? IDN_HOMOGLYPH : HOMOGLYPH;

    const exact = this.labelMap.get(core);
    if (exact !== undefined) {
      for (const id of exact) {
        this.stamp[id] = gen;
        if ((this.brands[id] as Brand).suffix === suffix) continue; // the brand's own registrable domain
        this.hit(hits, id, ["tld-swap"], 0.9, ucore, sk);
      }
    }
    const same = this.skelMap.get(sk);
    if (same !== undefined) {
      for (const id of same) {
        if (this.stamp[id] === gen) continue;
        this.stamp[id] = gen;
        this.hit(hits, id, homoglyph, idn ? 0.98 : 0.95, ucore, sk);
      }
    }

    const skLen = sk.length;
    if (skLen >= this.minTypo - 1 && !(this.skipWords && !idn && COMMON_WORDS.has(core))) {
      this.lookupDeletions(sk, gen, core, ucore, sk, idn, hits);
      if (!idn && core !== sk) this.lookupDeletions(core, gen, core, ucore, sk, idn, hits);
      if (skLen >= this.minPieceBrand - 3 && skLen <= this.maxPieceBrand + 3) {
        this.matchMultiEdit(sk, core, ucore, idn, gen, hits);
      }
    }

    if (skLen >= this.minLoose) {
      const loose = this.looseMap.get(looseSkeleton(sk));
      if (loose !== undefined) {
        for (const id of loose) {
          // Not the stamp: a typo candidate rejected above (arazon ~ amazon, a generic
          // one-letter change) may still be a loose homoglyph (r ~ m). The brand's own
          // domain is dropped later with the other owned names.
          if (hits.has(id)) continue;
          this.hit(hits, id, homoglyph, 0.75, ucore, sk);
        }
      }
    }
  }

  /** Looks up `s` and its one-deletion neighbourhood in the deletion map. */
  private lookupDeletions(
    s: string,
    gen: number,
    core: string,
    ucore: string,
    sk: string,
    idn: boolean,
    hits: Map<number, Hit>,
  ): void {
    const n = s.length;
    if (n >= this.prefix.length) return;
    // Polynomial hashes of s and of s with one character deleted, from prefix hashes:
    // no string is built (the keys are hashes; candidates are verified by distance).
    const pre = this.prefix;
    pre[0] = 0;
    for (let i = 0; i < n; i++) pre[i + 1] = (Math.imul(pre[i] as number, HASH_BASE) + s.charCodeAt(i)) | 0;
    const full = pre[n] as number;
    this.deletionCandidates((full >>> 0) & HASH_MASK, gen, core, ucore, sk, idn, hits);
    for (let i = 0; i < n; i++) {
      if (i > 0 && s.charCodeAt(i) === s.charCodeAt(i - 1)) continue;
      const p = POW[n - 1 - i] as number;
      const tail = (full - Math.imul(pre[i + 1] as number, p)) | 0;
      const h = (Math.imul(pre[i] as number, p) + tail) | 0;
      this.deletionCandidates((h >>> 0) & HASH_MASK, gen, core, ucore, sk, idn, hits);
    }
  }

  /**
   * Two or three edits at once of a long brand (`myefherwallett`, `myelherwolet`): every
   * trigram of the skeleton, at its offset, is looked up in the piece table; a candidate
   * brand passes cheap filters (offset, length, character mask, bag distance) and is
   * confirmed once by Levenshtein distance on skeletons. Distance 1 is left to the deletion
   * map, which names the edit, except after glyph folding (see below).
   */
  private matchMultiEdit(
    sk: string,
    core: string,
    ucore: string,
    idn: boolean,
    gen: number,
    hits: Map<number, Hit>,
  ): void {
    const n = sk.length;
    const starts = this.pieceStarts;
    const shift = 32 - this.pieceBits;
    const entries = this.pieceEntries;
    let words: boolean | undefined;
    let histFilled = false;
    const mask = charMask(sk);
    for (let p = 0; p + 3 <= n; p++) {
      const t = trigramHash(sk, p, p) >>> shift;
      const end = starts[t + 1] as number;
      for (let j = starts[t] as number; j < end; j++) {
        // Cheapest checks first, from the entry itself and one mask: most candidates share
        // only a common trigram and fail on offset, length or characters.
        const meta = entries[3 * j + 1] as number;
        const len = meta & 63;
        const k = meta >>> 12;
        const moved = p - ((meta >>> 6) & 63);
        if (n - len > k || len - n > k || moved > k || -moved > k) continue;
        // Each character class of one string missing from the other costs an edit.
        const bm = entries[3 * j + 2] as number;
        if (popCount(mask & ~bm) > k || popCount(bm & ~mask) > k) continue;
        const id = entries[3 * j] as number;
        if (this.pieceStamp[id] === gen) continue;
        this.pieceStamp[id] = gen;
        if (hits.has(id)) continue;
        // Bag distance (characters to add or remove, ignoring order) is a lower bound of
        // the edit distance: most candidates that share only a piece fail it cheaply.
        if (!histFilled) {
          this.fillLabelHist(sk);
          histFilled = true;
        }
        if (this.bagDistance(id, n - len, k) > k) continue;
        const b = this.brands[id] as Brand;
        const d = distance(sk, b.skel);
        // Distance 1 is the deletion map's, except when folding glyphs (vv -> w, rn -> m) is
        // what brought the label within one edit (`myefhervvallet`): the deletion map
        // compares such labels as typed.
        if (d > k || d === 0 || (d === 1 && (core === sk || idn))) continue;
        // Checked once a candidate is found: a label that reads as words (`americanpress`
        // for `americanexpress`) or is a word of another language is another name.
        words ??= (this.skipWords && !idn && FOREIGN_WORDS.has(core)) || readsAsWords(core);
        if (words) return;
        if (this.isLikelyTypoFalsePositive(sk, b.skel) || rewritesBrandPart(core, b.label)) continue;
        if (d === 1) {
          const techniques = classifyEdit(sk, b.skel);
          if (techniques.length > 0) this.hit(hits, id, [...techniques, "homoglyph"], 0.8, ucore, sk);
          continue;
        }
        const techniques: Technique[] = [d === 2 ? "edit-distance-2" : "edit-distance-3"];
        if (idn) techniques.push("idn-homograph");
        this.hit(hits, id, techniques, d === 2 ? 0.6 : 0.55, ucore, sk);
      }
    }
  }

  /** Confirms each brand under deletion-map key `key` once per lookup ({@link delBits} first). */
  private deletionCandidates(
    key: number,
    gen: number,
    core: string,
    ucore: string,
    sk: string,
    idn: boolean,
    hits: Map<number, Hit>,
  ): void {
    if (!hasBit(this.delBits, key)) return;
    const ids = this.delMap.get(key);
    if (ids === undefined) return;
    for (const id of ids) {
      if (this.stamp[id] === gen) continue;
      this.stamp[id] = gen;
      this.confirmTypo(id, core, ucore, sk, idn, hits);
    }
  }

  /**
   * Confirms an edit-distance candidate. Plain letter labels are compared as typed (so
   * folding `rn`/`cl` never creates a typo that is not one); labels with digits or IDN
   * characters are compared on skeletons (`g00gel`).
   */
  private confirmTypo(
    id: number,
    core: string,
    ucore: string,
    sk: string,
    idn: boolean,
    hits: Map<number, Hit>,
  ): void {
    const b = this.brands[id] as Brand;
    if (b.len < this.minTypo) return;
    // Checked here, once a candidate is found, not for every label: most labels have none.
    if (this.skipWords && !idn && FOREIGN_WORDS.has(core)) return;
    const raw = !idn && !DIGIT_RE.test(core);
    const dRaw = idn ? 3 : typoDistance(core, b.label);
    if (dRaw === 1) {
      if (this.isLikelyTypoFalsePositive(core, b.label)) return;
      const techniques = classifyEdit(core, b.label);
      if (techniques.length === 0) return;
      // An arbitrary one-letter change (no keyboard, bit, vowel or glyph relation) is a
      // weak signal on short labels: many real words and brands differ so.
      if (techniques.length === 1 && techniques[0] === "substitution" && b.len < this.minGenericSubstitution)
        return;
      this.hit(hits, id, techniques, 0.85 * lengthFactor(b.len), ucore, sk);
      return;
    }
    const a = raw ? core : sk;
    const t = raw ? b.label : b.skel;
    const d = raw ? dRaw : typoDistance(sk, b.skel);
    // Only reached for labels with digits or IDN characters: a homoglyph plus one edit.
    // (Two or more edits are matchMultiEdit's.)
    if (d !== 1 || this.isLikelyTypoFalsePositive(a, t)) return;
    const techniques = classifyEdit(a, t);
    if (techniques.length === 0) return;
    techniques.push("homoglyph");
    if (idn) techniques.push("idn-homograph");
    this.hit(hits, id, techniques, 0.8, ucore, sk);
  }

  /** Chromium-style filters for edit-distance matches that are usually different words. */
  private isLikelyTypoFalsePositive(a: string, b: string): boolean {
    // (A rule that took names differing only in a same-length trailing number, site45 /
    // site35, for siblings was measured and dropped: it hid bet325 for bet365 and
    // office165 for office365 and removed no reviewed false positive on the Tranco top-1M.)
    if (this.ignoreFirstChar) {
      if (a.length === b.length && a.slice(1) === b.slice(1)) return true;
      if (a.length + 1 === b.length && a === b.slice(1)) return true;
      if (a.length === b.length + 1 && a.slice(1) === b) return true;
    }
    return false;
  }

  /**
   * A distinctive brand label (not a common word, `minContainedBrandLength`+ letters)
   * anywhere inside the registrable label, unless the hyphen-separated token holding it is
   * itself a dictionary word (`intelligence` is not a combosquat of `intel`).
   */
  private matchContained(core: string, ucore: string, hits: Map<number, Hit>): void {
    const k = this.minContained;
    const n = core.length;
    if (n <= k) return;
    // Rolling hash over every window of k characters (same hash as hashString).
    const out = POW[k] as number;
    let h = 0;
    for (let i = 0; i < k; i++) h = (Math.imul(h, HASH_BASE) + core.charCodeAt(i)) | 0;
    for (let i = 0; i + k <= n; i++) {
      if (i > 0) {
        h =
          (Math.imul(h, HASH_BASE) + core.charCodeAt(i + k - 1) - Math.imul(core.charCodeAt(i - 1), out)) | 0;
      }
      const key = (h >>> 0) & HASH_MASK;
      if (!hasBit(this.anchorBits, key)) continue;
      const ids = this.anchorMap.get(key);
      if (ids === undefined) continue;
      for (const id of ids) {
        const b = this.brands[id] as Brand;
        const end = i + b.label.length;
        if (end > n || (i === 0 && end === n) || !core.startsWith(b.label, i)) continue;
        const ts = core.lastIndexOf("-", i) + 1;
        let te = core.indexOf("-", end);
        if (te < 0) te = n;
        if (COMMON_WORDS.has(core.slice(ts, te))) continue;
        // What is glued to the brand must read as words, keywords or a number
        // (paypal+deals, my+paypal+24), not as the rest of another word (hindise+xvideos).
        // A long brand that is neither words nor hyphenated is rare by chance: it counts
        // whatever is glued to it (bloomberg+apa, wikipedia+aset).
        const words = this.isAffixRun(core.slice(ts, i), b) && this.isAffixRun(core.slice(end, te), b);
        if (!words && (b.len < this.minAnyGlue || b.word || b.compound || b.label.includes("-"))) continue;
        // The brand only by accident: the token also reads as words with one of them across
        // the brand's edge (echo+for+besties holds "forbes"). Not for brands that are words
        // themselves (snap+chat: snap+chats+ale would hide snapchatsale).
        if (!b.compound && straddledByWords(core.slice(ts, te), i - ts, end - ts)) continue;
        this.hit(hits, id, ["combosquat"], 0.7, ucore === core ? b.label : ucore, b.skel);
      }
    }
  }

  /**
   * What may be glued to a contained brand on one side: a run of words ({@link isWordRun}) or
   * one country code or company form on its own (`hr`+instagram, airbnb+`inc`:
   * {@link NAME_AFFIXES}). Inside a longer run a two-letter code would let almost anything
   * read as words (intel+`li`+gent+rip); next to a short or hyphenated brand it completes
   * other words (`ca`+t-online, intel+`li`); the brand's own suffix is target embedding's
   * business (youtu+`be`).
   */
  private isAffixRun(s: string, b: Brand): boolean {
    if (this.isWordRun(s)) return true;
    if (!NAME_AFFIXES.has(s) || b.gluedTails.includes(s)) return false;
    return s.length > 2 || (b.len >= 6 && !b.label.includes("-"));
  }

  /** Whether `s` is empty or splits into common words (3+ letters), keywords and digit runs. */
  private isWordRun(s: string): boolean {
    if (s.length === 0) return true;
    return s.length <= 40 && splitsInto(s, 2, this.isWordOrKeyword);
  }

  private readonly isWordOrKeyword = (w: string): boolean => COMMON_WORDS.has(w) || this.keywords.has(w);

  /** `pay.pal.com`: the label before the registrable label joined to it. */
  private matchLabelSplit(
    labels: readonly string[],
    ulabels: readonly string[],
    coreIdx: number,
    hits: Map<number, Hit>,
  ): void {
    const left = ulabels[coreIdx - 1] as string;
    const right = ulabels[coreIdx] as string;
    const sk = skeleton(left + right);
    const ids = this.skelMap.get(sk);
    if (ids === undefined) return;
    const rawJoined = (labels[coreIdx - 1] as string) + (labels[coreIdx] as string);
    for (const id of ids) {
      const b = this.brands[id] as Brand;
      if (b.len < this.minCombo) continue;
      const t: Technique[] = rawJoined === b.label ? ["label-split"] : ["label-split", "homoglyph"];
      this.hit(hits, id, t, 0.85, `${left}.${right}`, sk);
    }
  }

  /**
   * Combosquatting and target embedding inside one label: hyphen tokens that are the
   * brand (`paypal-login`, `www-paypal-com`), and the brand glued to keywords, digits or
   * its own suffix (`securepaypal`, `paypallogin`, `paypalcom`). In subdomain labels a
   * keyword or the brand's suffix is always required, except for `subdomain-brand`.
   */
  private matchTokens(
    label: string,
    labelIdx: number,
    labels: readonly string[],
    isCore: boolean,
    hits: Map<number, Hit>,
  ): void {
    if (label.length < this.minCombo) return;
    const tokens = label.includes("-") ? label.split("-") : undefined;
    if (tokens !== undefined) {
      for (let i = 0; i < tokens.length; i++) {
        // Brand labels with hyphens: try up to three tokens joined back.
        for (let j = i; j < tokens.length && j < i + 3; j++) {
          const piece = j === i ? (tokens[i] as string) : tokens.slice(i, j + 1).join("-");
          if (piece.length < this.minCombo || (i === 0 && j === tokens.length - 1)) continue;
          if (j === i) this.matchNumberedToken(piece, tokens, i, hits);
          const ids = this.skelMap.get(skeleton(piece));
          if (ids === undefined) continue;
          for (const id of ids) {
            const b = this.brands[id] as Brand;
            if (b.len < this.minCombo) continue;
            const homo = piece !== b.label;
            const rest = tokens.slice(j + 1);
            // A keyword among the other tokens (the brand itself may be a keyword: "live").
            const hasKeyword = tokens.some((tok, k) => (k < i || k > j) && isKeywordIn(b.comboKeywords, tok));
            if (startsWith(rest, b.suffixLabels)) {
              this.hit(
                hits,
                id,
                homo ? ["target-embedding", "homoglyph"] : ["target-embedding"],
                0.9,
                piece,
                b.skel,
              );
            } else if (hasKeyword) {
              this.hit(hits, id, homo ? ["combosquat", "homoglyph"] : ["combosquat"], 0.85, piece, b.skel);
            } else if (isCore && !b.word && this.minBareToken > 0 && b.len >= this.minBareToken) {
              this.hit(hits, id, homo ? ["combosquat", "homoglyph"] : ["combosquat"], 0.65, piece, b.skel);
            }
          }
        }
      }
    }
    if (tokens !== undefined && isCore) this.matchTypoTokens(tokens, hits);
    if (!isCore) this.matchSubdomainLabel(label, labelIdx, labels, hits);
    for (const part of tokens ?? [label]) this.matchGlued(part, isCore, hits);
  }

  /**
   * A hyphen token of the registrable label that is a typo of a brand, next to a keyword
   * token (`blockchian-wallet`, `login-blockchaain`, `myethewaliet-login`): typosquatting and
   * combosquatting at once. The token goes through the same edit-distance rules as a whole
   * label (words and keywords are not typos); the keyword may be plural (`logins`).
   */
  private matchTypoTokens(tokens: readonly string[], hits: Map<number, Hit>): void {
    if (!tokens.some((t) => isKeywordIn(this.keywords, t))) return;
    const found = this.tokenHits;
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i] as string;
      if (tok.length < this.minTypo || isKeywordIn(this.keywords, tok)) continue;
      const idn = !ASCII_RE.test(tok);
      if (this.skipWords && !idn && COMMON_WORDS.has(tok)) continue;
      this.collectTypos(tok, tok, idn, found);
      for (const [id, h] of found) {
        const b = this.brands[id] as Brand;
        if (!tokens.some((t, k) => k !== i && isKeywordIn(b.comboKeywords, t))) continue;
        this.hit(hits, id, [...h.techniques, "combosquat"], h.score, tok, h.skel);
      }
    }
  }

  /**
   * Whether `label` may begin a brand's suffix as {@link followedBySuffix} reads it: it is
   * the first label of one (`com`, `xn--p1ai`), or its leading letters are (`com-secure`,
   * `com1927572`).
   */
  private startsSuffix(label: string): boolean {
    if (this.suffixStarts.has(label)) return true;
    let i = 0;
    while (i < label.length && isLetter(label.charCodeAt(i))) i++;
    return i > 0 && i < label.length && this.suffixStarts.has(label.slice(0, i));
  }

  /**
   * Brands that `label` (ASCII; `ulabel` its Unicode form) is a typo of, into `found`
   * (cleared first): the deletion map (one edit) and the piece table (two or three edits),
   * with the registrable label's edit rules.
   */
  private collectTypos(
    label: string,
    ulabel: string,
    idn: boolean,
    found: Map<number, Hit>,
    multiEdit = true,
  ): void {
    found.clear();
    const sk = skeleton(ulabel);
    const gen = this.nextGeneration();
    this.lookupDeletions(sk, gen, label, ulabel, sk, idn, found);
    if (!idn && label !== sk) this.lookupDeletions(label, gen, label, ulabel, sk, idn, found);
    if (multiEdit && sk.length >= this.minPieceBrand - 3 && sk.length <= this.maxPieceBrand + 3) {
      this.matchMultiEdit(sk, label, ulabel, idn, gen, found);
    }
  }

  /**
   * A whole subdomain label that is a typo of a brand. Followed by the brand's suffix it is
   * target embedding (`blockchaln.com.14secure.host`, `etherium.org.payment.x.site`); on its
   * own, one edit from a distinctive brand of {@link minSubdomainTypo}+ letters (opt-in), a
   * subdomain brand (`myetherwalet.heliohost.org`).
   */
  private matchSubdomainTypo(
    label: string,
    ulabel: string,
    labelIdx: number,
    labels: readonly string[],
    hits: Map<number, Hit>,
  ): void {
    if (label.length < this.minTypo - 1 || label.length > 63) return;
    // A bare typo is one edit from a brand of minSubdomainTypo+ letters; anything shorter can
    // only match when followed by some brand's suffix (most hostnames: www, mail, api).
    const bare =
      this.subdomainBrand && this.minSubdomainTypo > 0 && label.length >= this.minSubdomainTypo - 1;
    const embedded = this.startsSuffix(labels[labelIdx + 1] as string);
    if (!bare && !embedded) return;
    const idn = label !== ulabel;
    if (this.skipWords && !idn && (COMMON_WORDS.has(label) || isKeywordIn(this.keywords, label))) return;
    const found = this.tokenHits;
    // Bare labels get one edit only: hostnames are many and long, and the piece table's
    // probes over every one of them cost about a fifth of the throughput.
    this.collectTypos(label, ulabel, idn, found, embedded);
    let words: boolean | undefined;
    for (const [id, h] of found) {
      const b = this.brands[id] as Brand;
      if (followedBySuffix(labels, labelIdx, b.suffix)) {
        this.hit(hits, id, [...h.techniques, "target-embedding"], 0.85, ulabel, h.skel);
      } else if (bare && !b.word && b.len >= this.minSubdomainTypo && !isMultiEdit(h)) {
        // Hostnames are often words (`gamesport`, `mytimes`): those are not typos.
        words ??= !idn && readsAsWords(label);
        if (words) continue;
        this.hit(hits, id, [...h.techniques, "subdomain-brand"], 0.5, ulabel, h.skel);
      }
    }
  }

  /**
   * A hyphen token that is a brand with a number appended, next to a keyword token
   * (`office365-login`, `binance2-support`): what the glued-digit rule leaves out for word
   * brands, with the keyword as the evidence.
   */
  private matchNumberedToken(
    piece: string,
    tokens: readonly string[],
    i: number,
    hits: Map<number, Hit>,
  ): void {
    if (!isDigit(piece.charCodeAt(piece.length - 1))) return;
    const m = NUMBERED_TOKEN.exec(piece);
    if (m === null || (m[1] as string).length < this.minCombo) return;
    const base = m[1] as string;
    const ids = this.skelMap.get(skeleton(base));
    if (ids === undefined) return;
    for (const id of ids) {
      const b = this.brands[id] as Brand;
      if (b.len < this.minCombo) continue;
      if (!tokens.some((tok, k) => k !== i && b.comboKeywords.has(tok))) continue;
      const t: Technique[] = base !== b.label ? ["combosquat", "homoglyph"] : ["combosquat"];
      this.hit(hits, id, t, 0.85, piece, b.skel);
    }
  }

  /** A whole subdomain label equal to a brand (`paypal.com.evil.net`, `paypal.evil.net`). */
  private matchSubdomainLabel(
    label: string,
    labelIdx: number,
    labels: readonly string[],
    hits: Map<number, Hit>,
  ): void {
    const sk = skeleton(label);
    const ids = this.skelMap.get(sk);
    if (ids === undefined) return;
    for (const id of ids) {
      const b = this.brands[id] as Brand;
      if (b.len < this.minCombo) continue;
      const homo = label !== b.label;
      if (followedBySuffix(labels, labelIdx, b.suffix)) {
        this.hit(hits, id, homo ? ["target-embedding", "homoglyph"] : ["target-embedding"], 0.9, label, sk);
      } else if (this.subdomainBrand && !b.word && b.len >= this.minSubdomainBrand) {
        this.hit(hits, id, homo ? ["subdomain-brand", "homoglyph"] : ["subdomain-brand"], 0.5, label, sk);
      }
    }
  }

  /** The brand inside an unhyphenated token, glued to keywords, a short digit run or its own suffix. */
  private matchGlued(token: string, isCore: boolean, hits: Map<number, Hit>): void {
    const n = token.length;
    if (n <= this.minCombo) return;
    // Brand + its own suffix: paypalcom, wwwpaypalcom, bbccouk.
    for (const len of this.gluedSuffixEnds.get(token.slice(n - 2)) ?? NONE) {
      if (n - len < this.minCombo) break;
      const tail = token.slice(n - len);
      if (!this.gluedSuffixes.has(tail)) continue;
      for (const s of this.reachFromStart(token, n - len)) {
        const piece = token.slice(s, n - len);
        const ids = this.skelMap.get(skeleton(piece));
        if (ids === undefined) continue;
        for (const id of ids) {
          const b = this.brands[id] as Brand;
          if (b.len < this.minCombo || !b.gluedTails.includes(tail)) continue;
          // A word brand glued to a two-letter suffix is mostly another word (chin+a), and a
          // short one to any suffix a company name (live+com, fast+com).
          if (b.word && (len < 3 || b.len < 5)) continue;
          // Two-letter tails glue onto real words too often (arca+de, youtu+be): under 6
          // letters only when brand and tail do not make a word of their own.
          if (len < 3 && b.len < 6) {
            const glued = token.slice(s);
            if (b.len < 5 || COMMON_WORDS.has(glued) || FOREIGN_WORDS.has(glued)) continue;
          }
          const t: Technique[] = piece !== b.label ? ["target-embedding", "homoglyph"] : ["target-embedding"];
          this.hit(hits, id, t, 0.9, piece, b.skel);
        }
      }
    }
    // Brand + keywords (either side) or a trailing digit run: securepaypal, paypallogin, paypal24.
    const starts = this.reachFromStart(token, n);
    const ends = this.reachFromEnd(token);
    for (const s of starts) {
      for (const [e, digitsOnly] of ends) {
        if (e - s < this.minCombo || (s === 0 && e === n)) continue;
        const piece = token.slice(s, e);
        const ids = this.skelMap.get(skeleton(piece));
        if (ids === undefined) continue;
        for (const id of ids) {
          const b = this.brands[id] as Brand;
          if (b.len < this.minCombo) continue;
          // A digit run alone only counts in the registrable label, for brands that are not words.
          if (s === 0 && digitsOnly && (!isCore || b.word || b.len < this.minTypo)) continue;
          // A brand that is a frequent word needs a strong keyword right next to it.
          if (b.strongOnly && !this.gluedStrong(token, s, e)) continue;
          const t: Technique[] = piece !== b.label ? ["combosquat", "homoglyph"] : ["combosquat"];
          this.hit(hits, id, t, isCore ? 0.8 : 0.7, piece, b.skel);
        }
      }
    }
  }

  /** Whether a strong keyword ends at `s` or starts at `e` in `token`. */
  private gluedStrong(token: string, s: number, e: number): boolean {
    for (const k of this.strongKeywords) {
      if (s >= k.length && token.startsWith(k, s - k.length)) return true;
      if (token.startsWith(k, e)) return true;
    }
    return false;
  }

  /** Positions p <= limit - minCombo such that token[0..p) is a run of keywords (includes 0). */
  private reachFromStart(token: string, limit: number): number[] {
    const out = [0];
    for (let k = 0; k < out.length && k < 4; k++) {
      const pos = out[k] as number;
      for (const len of this.keywordStarts.get(token.substr(pos, 2)) ?? NONE) {
        if (pos + len > limit - this.minCombo) break;
        if (this.keywords.has(token.substr(pos, len)) && !out.includes(pos + len)) out.push(pos + len);
      }
    }
    return out;
  }

  /**
   * Positions q such that token[q..) is a run of keywords or one trailing digit run of at
   * most 4 digits; with a flag telling whether the tail is digits only (includes [n, false]).
   */
  private reachFromEnd(token: string): [number, boolean][] {
    const n = token.length;
    const out: [number, boolean][] = [[n, false]];
    let d = n;
    while (d > this.minCombo && isDigit(token.charCodeAt(d - 1))) d--;
    if (d < n && n - d <= 4) out.push([d, true]);
    for (let k = 0; k < out.length && k < 4; k++) {
      const pos = (out[k] as [number, boolean])[0];
      for (const len of this.keywordEnds.get(token.substr(pos - 2, 2)) ?? NONE) {
        if (pos - len < this.minCombo) break;
        if (this.keywords.has(token.substr(pos - len, len)) && !out.some((x) => x[0] === pos - len)) {
          out.push([pos - len, false]);
        }
      }
    }
    return out;
  }

  private nextGeneration(): number {
    this.generation++;
    if (this.generation === 0x7fffffff) {
      this.stamp.fill(0);
      this.pieceStamp.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }

  private isOwned(tenant: Tenant, ascii: string): boolean {
    let s = ascii;
    for (;;) {
      if (tenant.owned.has(s)) return true;
      const dot = s.indexOf(".");
      if (dot < 0) return false;
      s = s.slice(dot + 1);
    }
  }

  private finish(
    hits: Map<number, Hit>,
    ascii: string,
    unicode: string,
    wildcard: boolean,
    registrable: string,
    suffix: string,
  ): LookalikeMatch[] {
    // Best hit per tenant; the tenant's other imitated brands are listed with it.
    const best = new Map<number, { id: number; hit: Hit; others: string[] }>();
    let popular: boolean | undefined;
    for (const [id, h] of hits) {
      const b = this.brands[id] as Brand;
      // A popular site is not an imitation in itself: hits found only in its registrable
      // label go (IDN homographs and event 13 excepted); hits from subdomain labels stay,
      // since anyone may get a subdomain on a popular platform.
      if (
        this.exemptPopular &&
        !h.subdomain &&
        !h.techniques.has("tld-swap") &&
        !h.techniques.has("idn-homograph")
      ) {
        popular ??= isPopularDomain(registrable);
        if (popular) continue;
      }
      const cur = best.get(b.tenant);
      if (cur === undefined) {
        if (this.isOwned(this.tenants[b.tenant] as Tenant, ascii)) continue;
        best.set(b.tenant, { id, hit: h, others: [] });
      } else if (
        h.score > cur.hit.score ||
        (h.score === cur.hit.score && b.domain < (this.brands[cur.id] as Brand).domain)
      ) {
        cur.others.push((this.brands[cur.id] as Brand).domain);
        cur.id = id;
        cur.hit = h;
      } else {
        cur.others.push(b.domain);
      }
    }
    const out: LookalikeMatch[] = [];
    for (const { id, hit: h, others } of best.values()) {
      const b = this.brands[id] as Brand;
      const techniques = [...h.techniques].sort(
        (x, y) => (TECHNIQUE_RANK.get(x) ?? 99) - (TECHNIQUE_RANK.get(y) ?? 99),
      );
      const eventId = h.techniques.has("tld-swap")
        ? EVENT_SIMILAR_DOMAIN_DIFFERENT_TLD
        : EVENT_SIMILAR_DOMAIN;
      const score = Math.round(Math.min(1, h.score + (techniques.length > 1 ? 0.02 : 0)) * 1000) / 1000;
      if (score < this.minScore) continue;
      const shown = unicode === ascii ? ascii : `${ascii} (${unicode})`;
      const editDistance = distance(h.imitation, b.unicodeLabel);
      out.push({
        tenantId: b.tenantId,
        brand: b.domain,
        otherBrands: others.sort(),
        eventId,
        techniques,
        name: ascii,
        unicodeName: unicode,
        wildcard,
        registrableDomain: registrable,
        publicSuffix: suffix,
        imitation: h.imitation,
        skeleton: h.skel,
        brandSkeleton: b.skel,
        editDistance,
        score,
        reason:
          eventId === EVENT_SIMILAR_DOMAIN_DIFFERENT_TLD
            ? `${shown} uses the label "${b.unicodeLabel}" of ${b.domain} under another public suffix (.${suffix})`
            : `${shown} imitates ${b.domain} by ${techniques.join(", ")}: "${h.imitation}" vs "${b.unicodeLabel}" (skeletons "${h.skel}" / "${b.skel}", edit distance ${editDistance})`,
      });
    }
    out.sort((x, y) => y.score - x.score || (x.tenantId < y.tenantId ? -1 : x.tenantId > y.tenantId ? 1 : 0));
    return out;
  }
}

const NONE: readonly number[] = [];

/** Groups words by a two-character edge; each group is the sorted list of word lengths. */
function indexByEdge(words: readonly string[], edge: (w: string) => string): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const w of words) {
    if (w.length < 2) continue;
    const k = edge(w);
    const list = map.get(k) ?? [];
    if (!list.includes(w.length)) list.push(w.length);
    map.set(
      k,
      list.sort((a, b) => a - b),
    );
  }
  return map;
}

/** Whether a hit came from the piece table (two or three edits at once). */
function isMultiEdit(h: Hit): boolean {
  return h.techniques.has("edit-distance-2") || h.techniques.has("edit-distance-3");
}

function countDots(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 46) n++;
  return n;
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Whether the labels after `idx` start with `suffix` followed by a dot, a hyphen or a digit
 * (`com.evil`, `com-secure`, `com1927572.info`).
 */
function followedBySuffix(labels: readonly string[], idx: number, suffix: string): boolean {
  const next = labels[idx + 1];
  if (next === undefined || next.charCodeAt(0) !== suffix.charCodeAt(0)) return false;
  const rest = labels.slice(idx + 1).join(".");
  if (rest.length <= suffix.length || !rest.startsWith(suffix)) return false;
  const c = rest.charCodeAt(suffix.length);
  return c === 46 /* . */ || c === 45 /* - */ || isDigit(c);
}

function startsWith(list: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length === 0 || list.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (list[i] !== prefix[i]) return false;
  return true;
}

const DIGITS_ONLY_RE = /^[0-9]+$/;

/** Whether `token` is in `keywords`, or is one with a plural `s` (`logins`, `wallets`). */
function isKeywordIn(keywords: ReadonlySet<string>, token: string): boolean {
  return (
    keywords.has(token) ||
    (token.length > 3 && token.charCodeAt(token.length - 1) === 115 && keywords.has(token.slice(0, -1)))
  );
}

/** Whether `label` splits wholly into common words (3+ letters) and digit runs. */
export function splitsIntoWords(label: string): boolean {
  return label.length <= 63 && wordBreaks(label).to[0] === 1;
}

/**
 * Whether `token` splits wholly into common words (3+ letters) and digit runs in a way where
 * a word crosses position `start` or `end` (the edges of a brand inside it): then the brand
 * is read across word boundaries, not as a unit. Bounded: tokens over 63 characters, words
 * over 20.
 */
export function straddledByWords(token: string, start: number, end: number): boolean {
  const n = token.length;
  if (n > 63) return false;
  const { from, to } = wordBreaks(token);
  if (to[0] === 0) return false;
  for (const edge of [start, end]) {
    if (edge <= 0 || edge >= n) continue;
    for (let a = Math.max(0, edge - 19); a < edge; a++) {
      if (from[a] === 0) continue;
      for (let b = edge + 1; b <= n && b - a <= 20; b++)
        if (to[b] === 1 && isWordPiece(token, a, b)) return true;
    }
  }
  return false;
}

function isWordPiece(token: string, a: number, b: number): boolean {
  const w = token.slice(a, b);
  return COMMON_WORDS.has(w) || DIGITS_ONLY_RE.test(w);
}

/** from[p]: token[0..p) splits into words (and digit runs); to[p]: token[p..) does. */
function wordBreaks(token: string): { from: Uint8Array; to: Uint8Array } {
  const n = token.length;
  const from = new Uint8Array(n + 1);
  const to = new Uint8Array(n + 1);
  from[0] = 1;
  to[n] = 1;
  for (let a = 0; a < n; a++) {
    if (from[a] === 0) continue;
    for (let b = a + 1; b <= n && b - a <= 20; b++) if (isWordPiece(token, a, b)) from[b] = 1;
  }
  for (let b = n; b > 0; b--) {
    if (to[b] === 0) continue;
    for (let a = b - 1; a >= 0 && b - a <= 20; a--) if (isWordPiece(token, a, b)) to[a] = 1;
  }
  return { from, to };
}
