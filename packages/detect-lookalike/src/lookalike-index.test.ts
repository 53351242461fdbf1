import { domainToASCII } from "node:url";
import { describe, expect, it } from "@jest/globals";
import { lookalikeDedupKey } from "./lookalike-dedup-key.js";
import {
  buildLookalikeIndex,
  type LookalikeBuildProgress,
  type LookalikeIndex,
  lookalikeIndexBuildSteps,
} from "./lookalike-index.js";
import type { LookalikeMatch } from "./lookalike-match.js";
import { LOOKALIKE_PRESETS } from "./lookalike-presets.js";
import { isPopularDomain } from "./popular-domain-filter.js";
import { WatchlistError } from "./watchlist-error.js";

const index: LookalikeIndex = buildLookalikeIndex([
  {
    tenantId: "acme",
    domain: "paypal.com",
    ownedDomains: ["paypal-corp-sso.com"],
    allowlist: ["paypal-partner.net"],
  },
  { tenantId: "acme", domain: "yourcompany.com" },
  { tenantId: "globex", domain: "google.com" },
  { tenantId: "globex", domain: "google.de" },
  { tenantId: "globex", domain: "cloudflare.com" },
  { tenantId: "initech", domain: "apple.com" },
  { tenantId: "initech", domain: "bbc.co.uk" },
  { tenantId: "umbrella", domain: "paypal.com" },
]);

function only(name: string, tenantId: string): LookalikeMatch {
  const ms = index.match(name).filter((m) => m.tenantId === tenantId);
  expect(ms).toHaveLength(1);
  return ms[0] as LookalikeMatch;
}

function techniques(name: string, tenantId = "acme"): readonly string[] {
  return only(name, tenantId).techniques;
}

describe("buildLookalikeIndex + match", () => {
  it("never alerts on the brand itself, its subdomains, owned or allowlisted names", () => {
    for (const n of [
      "paypal.com",
      "www.paypal.com",
      "*.secure.paypal.com",
      "paypal-corp-sso.com",
      "login.paypal-corp-sso.com",
      "paypal-partner.net",
    ]) {
      expect(index.match(n).filter((m) => m.tenantId === "acme")).toEqual([]);
    }
    // The other tenant watching the same brand owns nothing else: paypal-corp-sso.com alerts for it.
    expect(index.match("paypal-corp-sso.com").map((m) => m.tenantId)).toEqual(["umbrella"]);
    // Same label under another suffix owned by the same tenant: not an alert.
    expect(index.match("google.de").filter((m) => m.tenantId === "globex")).toEqual([]);
  });

  it("raises event 13 for the brand label under another public suffix", () => {
    const m = only("yourcompany.co", "acme");
    expect(m.eventId).toBe(13);
    expect(m.techniques).toEqual(["tld-swap"]);
    expect(m.brand).toBe("yourcompany.com");
    expect(m.registrableDomain).toBe("yourcompany.co");
    expect(m.reason).toContain("another public suffix");
  });

  it("treats private PSL suffixes as suffixes: paypal.github.io is event 13", () => {
    const m = only("paypal.github.io", "acme");
    expect(m.eventId).toBe(13);
    expect(m.registrableDomain).toBe("paypal.github.io");
    expect(m.publicSuffix).toBe("github.io");
  });

  it("detects IDN homographs through the skeleton", () => {
    const m = only("xn--pypal-4ve.com", "acme");
    expect(m.eventId).toBe(12);
    expect(m.techniques).toEqual(["idn-homograph", "homoglyph"]);
    expect(m.unicodeName).toBe("p\u0430ypal.com");
    expect(m.skeleton).toBe("paypal");
    expect(m.brandSkeleton).toBe("paypal");
    expect(m.editDistance).toBe(1);
    expect(m.score).toBeGreaterThan(0.9);
  });

  it("detects ASCII homoglyphs (0/1, rn/m, cl/d)", () => {
    expect(techniques("paypa1.com")).toContain("homoglyph");
    expect(techniques("g00gle.com", "globex")).toContain("homoglyph");
    expect(techniques("c1oudflare.com", "globex")).toContain("homoglyph");
    expect(techniques("doudflare.com", "globex")).toEqual(["homoglyph"]); // cl -> d
  });

  it.each([
    ["paypall.com", "repetition"],
    ["paypalx.com", "addition"],
    ["pay-pal.com", "hyphenation"],
    ["payopal.com", "insertion"],
    ["paypl.com", "omission"],
    ["payapl.com", "transposition"],
    ["paypol.com", "vowel-swap"],
    ["paypak.com", "replacement"],
    ["paypcl.com", "bitsquatting"],
    ["pay.pal.com", "label-split"],
    ["paypal-login-secure.com", "combosquat"],
    ["securepaypal.net", "combosquat"],
    ["paypallogin.com", "combosquat"],
    ["mypaypalrewards.shop", "combosquat"],
    ["paypal.com.evil.net", "target-embedding"],
    ["www-paypal-com.evil.net", "target-embedding"],
    ["paypal.com-secure.net", "target-embedding"],
    ["paypalcom.net", "target-embedding"],
    ["paypal.evil.net", "subdomain-brand"],
  ])("%s -> %s", (name, technique) => {
    const m = only(name, "acme");
    expect(m.techniques).toContain(technique);
    expect(m.eventId).toBe(12);
    expect(m.reason).toContain("paypal.com");
  });

  it("finds combosquats written with IDN characters", () => {
    const name = domainToASCII("p\u0430ypal-login.com");
    expect(name.startsWith("xn--")).toBe(true);
    expect(techniques(name)).toEqual(expect.arrayContaining(["homoglyph", "combosquat"]));
  });

  it("matches the rest of a wildcard name", () => {
    const m = only("*.paypal-login.com", "acme");
    expect(m.wildcard).toBe(true);
    expect(m.name).toBe("paypal-login.com");
  });

  it("returns one match per tenant, naming the tenant's other imitated brands", () => {
    const m = only("gooogle.com", "globex");
    expect(m.brand).toBe("google.com");
    expect(m.otherBrands).toEqual(["google.de"]);
    const tenants = index.match("paypa1.com").map((x) => x.tenantId);
    expect(tenants.sort()).toEqual(["acme", "umbrella"]);
  });

  it("keeps short brands to the specific techniques", () => {
    // bbc: three letters, below the edit-distance and combosquat minimums.
    expect(index.match("bbd.co.uk")).toEqual([]);
    expect(index.match("bbc-news.com")).toEqual([]);
    expect(only("bbc.uk", "initech").eventId).toBe(13);
  });

  it("does not report dictionary words as typos, and asks word brands for a keyword", () => {
    expect(index.match("apples.com")).toEqual([]); // a word, not a typo of apple
    expect(index.match("apple-pie-recipes.com")).toEqual([]); // apple is a common word
    expect(techniques("apple-id-verify.com", "initech")).toContain("combosquat");
    expect(techniques("aplpe.com", "initech")).toContain("transposition");
    expect(index.match("appel.com")).toEqual([]); // French word (appel), not a typo of apple
  });

  it("reads a country code or company form glued to a distinctive brand as a combosquat", () => {
    expect(techniques("paypaluk.com")).toContain("combosquat");
    expect(techniques("hrpaypal.net")).toContain("combosquat");
    expect(techniques("paypalgmbh.de")).toContain("combosquat"); // (paypalinc.com is a popular site)
    expect(techniques("paypalcenter.com")).toContain("combosquat"); // American spelling is a word too
    // Not inside a longer run, not for the brand's own suffix, not next to short brands.
    const yt = buildLookalikeIndex([
      { tenantId: "t", domain: "youtu.be" },
      { tenantId: "t2", domain: "intel.com" },
    ]);
    expect(yt.match("youtube.se")).toEqual([]); // youtu + "be": its own suffix
    expect(yt.match("intelli-hub.com")).toEqual([]); // intel + "li": brand under 6 letters
    expect(index.match("paypalligentrip.com")).toEqual([]); // "li" + words is not an affix run
  });

  it("does not read a brand across word boundaries, nor report other languages' words as typos", () => {
    const ix = buildLookalikeIndex([
      { tenantId: "t", domain: "canva.com" },
      { tenantId: "t", domain: "agoda.com" },
      { tenantId: "t", domain: "snapchat.com" },
    ]);
    expect(ix.match("canvasandsocks.com")).toEqual([]); // canvas+and+socks
    expect(ix.match("canvadeals.com").map((m) => m.techniques)).toEqual([["combosquat"]]);
    expect(ix.match("snapchatsale.com")).toHaveLength(1); // the brand is itself words: kept
    expect(ix.match("agora.com")).toEqual([]); // a Greek/Spanish/Portuguese word, not a typo
    expect(ix.match("agods.com")).toHaveLength(1);
  });

  it("finds the brand glued to its own suffix, for word brands and 5-letter brands too", () => {
    const ix = buildLookalikeIndex([
      { tenantId: "t", domain: "apple.com" },
      { tenantId: "t", domain: "avito.ru" },
      { tenantId: "t", domain: "live.com" },
    ]);
    expect(ix.match("applecom.net").map((m) => m.techniques)).toEqual([["target-embedding"]]);
    expect(ix.match("avitoru.com").map((m) => m.techniques)).toEqual([["target-embedding"]]);
    expect(ix.match("livecom.net")).toEqual([]); // a short word brand: a company name
  });

  it("keeps a loose homoglyph that was rejected as a typo (arazon: r ~ m)", () => {
    const ix = buildLookalikeIndex([{ tenantId: "t", domain: "amazon.it" }]);
    expect(ix.match("arazon.it").map((m) => m.techniques)).toEqual([["homoglyph"]]);
  });

  it("reports a changed trailing number of a numbered brand (bet325 for bet365)", () => {
    const ix = buildLookalikeIndex([{ tenantId: "t", domain: "bet365.com" }]);
    expect(ix.match("bet325.com")).toHaveLength(1);
    expect(ix.match("bet366.com")).toHaveLength(1);
  });

  it("finds two edits at once in 10+-letter brands and three in 13+ (every pair and triple of positions)", () => {
    const brand = [{ tenantId: "t", domain: "myetherwallet.com" }];
    const on = buildLookalikeIndex(brand);
    const off = buildLookalikeIndex(brand, { longLabelMinLength: Number.POSITIVE_INFINITY });
    expect(off.match("myefherwallett.com")).toEqual([]);
    expect(on.match("myefherwallett.com").map((m) => m.techniques)).toEqual([["edit-distance-2"]]);
    expect(on.match("myelherwolet.com").map((m) => m.techniques)).toEqual([["edit-distance-3"]]);
    expect(on.match("myelherwolett.com")).toEqual([]); // four edits
    // One edit once glyphs are folded (vv -> w, rn -> m), three as typed.
    expect(on.match("myefhervvallet.com").map((m) => m.techniques)).toEqual([["homoglyph", "replacement"]]);
    expect(on.match("rnyetherwallel.com").map((m) => m.brand)).toEqual(["myetherwallet.com"]);
    // Substitutions at every pair and triple of positions, and a substitution, an insertion
    // and a deletion anywhere: the pigeonhole pieces must always leave one intact. (A brand
    // that is no words, so that no word filter applies; the popular-site filter off, since its
    // Bloom filter may hold one of the 650 typos by chance.)
    const label = "bxqkjzvtfgphy";
    const ix = buildLookalikeIndex([{ tenantId: "t", domain: `${label}.com` }], {
      exemptPopularDomains: false,
    });
    const sub = (s: string, i: number, c: string) => `${s.slice(0, i)}${c}${s.slice(i + 1)}`;
    const typos: string[] = [];
    for (let i = 0; i < label.length; i++) {
      for (let k = i + 1; k < label.length; k++) {
        typos.push(sub(sub(label, i, "a"), k, "e"));
        for (let j = k + 1; j < label.length; j++) {
          typos.push(sub(sub(sub(label, i, "a"), k, "e"), j, "o"));
          typos.push(`${sub(label, i, "a").slice(0, k)}e${label.slice(k, j)}${label.slice(j + 1)}`);
        }
      }
    }
    const missed = typos.filter((typo) => ix.match(`${typo}.com`).length !== 1);
    expect(missed).toEqual([]);
    expect(typos.length).toBe(78 + 2 * 286);
  });

  it("allows no multi-edit matches for brands under 10 letters, words, or labels four edits away", () => {
    const ix = buildLookalikeIndex([
      { tenantId: "a", domain: "bloomberg.com" }, // 9 letters
      { tenantId: "b", domain: "myetherwallet.com" },
    ]);
    expect(ix.match("blxxmberg.com")).toEqual([]);
    expect(ix.match("mqetqerwaqqet.com")).toEqual([]); // four substitutions
  });

  it("caps multi-edit at what a brand's trigram pieces allow, whatever the options say", () => {
    const brands = [
      { tenantId: "a", domain: "paypal.com" },
      { tenantId: "b", domain: "bxqkjzvtfgp.com" }, // 11 letters: three pieces, two edits
    ];
    const ix = buildLookalikeIndex(brands, { longLabelMinLength: 1, threeEditMinLength: 1 });
    expect(ix.match("qaypol.com")).toEqual([]); // 6 letters: no multi-edit at all
    expect(ix.match("bxqkjzvtfgp.com")).toEqual([]); // its own domain
    expect(ix.match("axqkjzatfgp.com")).toHaveLength(1); // two edits
    expect(ix.match("axqkjzatfga.com")).toEqual([]); // three: beyond its pieces
  });

  it("does not read other names built on a compound brand's word as multi-edit typos", () => {
    const ix = buildLookalikeIndex([
      { tenantId: "a", domain: "americanexpress.com" },
      { tenantId: "b", domain: "duosecurity.com" },
      { tenantId: "c", domain: "blockchain.com" },
    ]);
    expect(ix.match("americanpress.com")).toEqual([]); // reads as words
    expect(ix.match("evosecurity.com")).toEqual([]); // the short part rewritten, "security" kept
    expect(ix.match("vusecurity.com")).toEqual([]);
    // A typo inside the rewritten part is still one: 2 edits in the 5 letters of "chain".
    expect(ix.match("blockhaln.com").map((m) => m.techniques)).toEqual([["edit-distance-2"]]);
  });

  it("finds a typo of the brand as a hyphen token next to a keyword, plural keywords too", () => {
    const ix = buildLookalikeIndex([
      { tenantId: "a", domain: "blockchain.com" },
      { tenantId: "b", domain: "kraken.com" },
      { tenantId: "c", domain: "myetherwallet.com" },
    ]);
    expect(ix.match("blockchian-wallet.com").map((m) => m.techniques)).toEqual([
      ["combosquat", "transposition"],
    ]);
    expect(ix.match("login-blockchaain.com").map((m) => m.brand)).toEqual(["blockchain.com"]);
    expect(ix.match("krakens-logins.com").map((m) => m.brand)).toEqual(["kraken.com"]);
    expect(ix.match("myethewaliet-login.site").map((m) => m.techniques)).toEqual([
      ["combosquat", "edit-distance-2"],
    ]);
    expect(ix.match("kraken-logins.com").map((m) => m.techniques)).toEqual([["combosquat"]]);
    // Without a keyword, a typo token is not enough; nor is a 4-letter token (`krak`).
    expect(ix.match("blockchian-news.com")).toEqual([]);
    expect(ix.match("krak-login.com")).toEqual([]);
  });

  it("finds a typo of the brand as a whole subdomain label: before the brand's suffix, or bare (opt-in)", () => {
    const brands = [
      { tenantId: "a", domain: "blockchain.com" },
      { tenantId: "b", domain: "kraken.com" },
      { tenantId: "c", domain: "myetherwallet.com" },
      { tenantId: "d", domain: "ethereum.org" },
      { tenantId: "e", domain: "gamespot.com" },
    ];
    const ix = buildLookalikeIndex(brands, { minSubdomainTypoLength: 9 });
    const found = (name: string, i = ix) => i.match(name).map((m) => `${m.brand} ${m.techniques.join("+")}`);
    // Followed by the brand's suffix: target embedding, whatever the brand's length.
    expect(found("login.blockchaln.com.16secure.host")).toEqual([
      "blockchain.com homoglyph+target-embedding",
    ]);
    expect(found("etherium.org.payment.7d16-srv.site")).toEqual(["ethereum.org target-embedding+vowel-swap"]);
    expect(found("krakken.com-verify.example.net")).toEqual(["kraken.com target-embedding+repetition"]);
    expect(found("krakken.com1927572.info")).toEqual(["kraken.com target-embedding+repetition"]);
    const rf = buildLookalikeIndex([{ tenantId: "r", domain: "pochta.xn--p1ai" }]);
    expect(found("pochtta.xn--p1ai.example.net", rf)).toEqual([
      "pochta.xn--p1ai target-embedding+repetition",
    ]);
    // Bare, for a distinctive brand of 9+ letters: a subdomain brand (score 0.5).
    expect(found("myetherwalet.heliohost.org")).toEqual(["myetherwallet.com omission+subdomain-brand"]);
    expect(ix.match("myetherwalet.heliohost.org")[0]?.score).toBe(0.52);
    expect(found("krakken.example.net")).toEqual([]); // 6 letters
    expect(found("etherium.example.net")).toEqual([]); // 8 letters
    expect(found("blockchaln.example.net")).toEqual(["blockchain.com homoglyph+subdomain-brand"]);
    // One edit only when bare, even where a suffix-like label follows (`co` of `co.uk`).
    expect(found("myetherwalett.com.example.net")).toEqual([
      "myetherwallet.com target-embedding+edit-distance-2",
    ]);
    expect(found("myetherwalett.example.net")).toEqual([]);
    expect(
      found(
        "myetherwalett.co.example.net",
        buildLookalikeIndex([...brands, { tenantId: "f", domain: "bbc.co.uk" }], {
          minSubdomainTypoLength: 9,
        }),
      ),
    ).toEqual([]);
    // A hostname that reads as words is not a typo; nor is a dictionary word.
    expect(found("gamesport.example.net")).toEqual([]);
    // The bare rule is off by default, and without subdomain brands; target embedding stays.
    for (const o of [{}, { minSubdomainTypoLength: 9, matchSubdomainBrandLabel: false }]) {
      const off = buildLookalikeIndex(brands, o);
      expect(found("myetherwalet.heliohost.org", off)).toEqual([]);
      expect(found("login.blockchaln.com.16secure.host", off)).toEqual([
        "blockchain.com homoglyph+target-embedding",
      ]);
    }
  });

  it("reads the brand's suffix glued to digits as target embedding (ledger.com1927572.info)", () => {
    const ix = buildLookalikeIndex([{ tenantId: "l", domain: "ledger.com" }]);
    expect(ix.match("ledger.com1927572.info").map((m) => m.techniques)).toEqual([["target-embedding"]]);
    expect(ix.match("ledger.com-secure.net").map((m) => m.techniques)).toEqual([["target-embedding"]]);
    expect(ix.match("ledger.comics.net").map((m) => m.techniques)).not.toContainEqual(["target-embedding"]);
  });

  it("counts crypto, giveaway and account words as keywords (binancekyc, dexbinance, paypalbtc, paypal2fa)", () => {
    const ix = buildLookalikeIndex([
      { tenantId: "a", domain: "binance.com" },
      { tenantId: "b", domain: "paypal.com" },
    ]);
    for (const name of [
      "binancekyc.com",
      "dexbinance.club",
      "paypalbtc.org",
      "binance-giveaway.example.co.za",
      "paypal2fa.com",
      "binancesignup.com",
      "paypalverifier.com",
    ]) {
      expect(ix.match(name).map((m) => m.techniques)).toEqual([["combosquat"]]);
    }
  });

  it("counts a long distinctive brand inside a label whatever is glued to it (minAnyGlueBrandLength)", () => {
    const brands = [
      { tenantId: "t", domain: "wikipedia.org" }, // 9 letters, not words
      { tenantId: "t2", domain: "snapchat.com" }, // snap+chat: words
    ];
    const ix = buildLookalikeIndex(brands);
    expect(ix.match("wikipediaxqz.com").map((m) => m.techniques)).toEqual([["combosquat"]]);
    expect(ix.match("snapchatxqz.com")).toEqual([]); // glue that is not words, keywords or digits
    expect(buildLookalikeIndex(brands, { minAnyGlueBrandLength: 0 }).match("wikipediaxqz.com")).toEqual([]);
  });

  it("treats a brand that is a place name like a word: combosquats need a strong keyword", () => {
    const ix = buildLookalikeIndex([{ tenantId: "t", domain: "canada.ca" }]);
    expect(ix.match("aircanadacargo.com")).toEqual([]);
    expect(ix.match("shopping-canada.com")).toEqual([]);
    expect(ix.match("canada-login.com").map((m) => m.techniques)).toEqual([["combosquat"]]);
    expect(ix.match("canadq.ca")).toHaveLength(1); // typos still count
  });

  it("asks a frequent-word brand for a strong keyword, a rarer word brand for any keyword", () => {
    const ix = buildLookalikeIndex([
      { tenantId: "t", domain: "office.com" }, // Zipf 5.4 in English
      { tenantId: "t2", domain: "discord.com" }, // Zipf 3.5
    ]);
    expect(ix.match("office-portal.com")).toEqual([]); // portal: not a strong keyword
    expect(ix.match("office-login.com").map((m) => m.techniques)).toEqual([["combosquat"]]);
    expect(ix.match("discord-portal.com").map((m) => m.techniques)).toEqual([["combosquat"]]);
    expect(ix.match("discordsupport.com").map((m) => m.techniques)).toEqual([["combosquat"]]);
    expect(ix.match("discord-stories.com")).toEqual([]); // still a word: no bare-token combosquat
    // A number glued to a word brand counts when a keyword token stands next to it.
    expect(ix.match("office365-login.com").map((m) => m.techniques)).toEqual([["combosquat"]]);
    expect(ix.match("office365.com")).toEqual([]);
  });

  it("minScore drops matches scored below it, and refuses values outside [0, 1]", () => {
    const all = buildLookalikeIndex([{ tenantId: "t", domain: "paypal.com" }]);
    const strict = buildLookalikeIndex([{ tenantId: "t", domain: "paypal.com" }], { minScore: 0.8 });
    const typo = all.match("paypak.com");
    expect(typo).toHaveLength(1);
    expect(typo[0]?.score).toBeLessThan(0.8);
    expect(strict.match("paypak.com")).toEqual([]);
    expect(strict.match("paypa1.com")).toHaveLength(1); // homoglyph, 0.95
    expect(() => buildLookalikeIndex([], { minScore: 1.5 })).toThrow(RangeError);
    expect(() => buildLookalikeIndex([], { minScore: Number.NaN })).toThrow(RangeError);
  });

  it("ownedBy tells whether a name is the tenant's own (brand, owned, allowlisted, subdomains)", () => {
    expect(index.ownedBy("acme", "paypal.com")).toBe(true);
    expect(index.ownedBy("acme", "*.login.paypal-corp-sso.com")).toBe(true);
    expect(index.ownedBy("acme", "PAYPAL-PARTNER.NET")).toBe(true);
    expect(index.ownedBy("acme", "google.com")).toBe(false);
    expect(index.ownedBy("globex", "paypal-corp-sso.com")).toBe(false);
    expect(index.ownedBy("nobody", "paypal.com")).toBe(false);
    expect(index.ownedBy("acme", "bad..name")).toBe(false);
  });

  it("never throws on random labels near long brands (multi-edit and typo-token paths)", () => {
    const brands = ["myetherwallet.com", "localbitcoins.com", "blockchain.com", "пример-домена.рф"];
    const ix = buildLookalikeIndex(brands.map((domain, i) => ({ tenantId: `t${i}`, domain })));
    const domains = new Set(brands.map((b) => domainToASCII(b)));
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const pieces = [
      "myether",
      "wallet",
      "login",
      "-",
      "block",
      "chain",
      "local",
      "bitcoins",
      "rn",
      "vv",
      "0",
      "\u0430",
      "пример",
    ];
    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      let label = "";
      const n = 1 + Math.floor(rand() * 6);
      for (let k = 0; k < n; k++) {
        const p = pieces[Math.floor(rand() * pieces.length)] as string;
        // Typo the piece at a random position now and then.
        const at = Math.floor(rand() * p.length);
        label += rand() < 0.3 ? `${p.slice(0, at)}${"xqz"[Math.floor(rand() * 3)]}${p.slice(at + 1)}` : p;
      }
      const ms = ix.match(`${label.slice(0, 63)}.com`);
      for (const m of ms) {
        expect(domains.has(m.brand)).toBe(true);
        expect(Number.isFinite(m.editDistance) && m.score > 0 && m.score <= 1).toBe(true);
      }
      matched += ms.length;
    }
    expect(matched).toBeGreaterThan(20); // the generator does reach the brands (50 with this seed)
  });

  it("never throws on bad input and returns []", () => {
    const bad = [
      "",
      ".",
      "*.",
      "-bad-.com",
      "a..b.com",
      `${"x".repeat(64)}.com`,
      `${"abcdefghi.".repeat(26)}com`,
      "xn--zz.com",
      "xn--x-5da.com",
      "1.2.3.4",
      "foo.*.com",
      "com",
      "co.uk",
      "localhost",
      "paypal.internal",
      "\u0000",
      "pay pal.com",
      "\ud800.com",
    ];
    for (const n of bad) expect(index.match(n)).toEqual([]);
    let seed = 42;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-._*\u0430\u00e9\u0131X ";
    for (let i = 0; i < 3000; i++) {
      let s = "";
      const len = Math.floor(rand() * 40);
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      expect(() => index.match(s)).not.toThrow();
    }
  });

  it("explains every match", () => {
    const m = only("paypa1-login.com", "acme");
    expect(m).toMatchObject({
      tenantId: "acme",
      brand: "paypal.com",
      eventId: 12,
      name: "paypa1-login.com",
      registrableDomain: "paypa1-login.com",
      publicSuffix: "com",
      imitation: "paypa1",
      skeleton: "paypal",
      brandSkeleton: "paypal",
    });
    expect(m.techniques).toEqual(["homoglyph", "combosquat"]);
    expect(m.score).toBeGreaterThan(0);
    expect(m.score).toBeLessThanOrEqual(1);
  });

  it("exposes its size", () => {
    expect(index.brandCount).toBe(8);
    expect(index.tenantCount).toBe(4);
    expect(index.deletionKeyCount).toBeGreaterThan(0);
  });

  it("precise preset drops the broad techniques", () => {
    const precise = buildLookalikeIndex([{ tenantId: "t", domain: "paypal.com" }], LOOKALIKE_PRESETS.precise);
    expect(precise.match("paypaldeals.com")).toEqual([]);
    expect(precise.match("paypal.evil.net")).toEqual([]);
    expect(precise.match("oaypal.com")).toEqual([]); // first-character edit
    expect(precise.match("paypal-login.com")).toHaveLength(1);
  });
});

describe("watchlist validation", () => {
  it("refuses every bad entry at once with typed reasons", () => {
    let error: unknown;
    try {
      buildLookalikeIndex([
        { tenantId: "t", domain: "com" },
        { tenantId: "t", domain: "co.uk" },
        { tenantId: "t", domain: "foo.bar.com" },
        { tenantId: "t", domain: "-bad-.com" },
        { tenantId: "t", domain: "" },
        { tenantId: "", domain: "ok.com" },
        { tenantId: "t", domain: "ok.com", ownedDomains: ["com"], allowlist: ["a..b"] },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WatchlistError);
    const issues = (error as WatchlistError).issues;
    expect(issues.map((i) => [i.index, i.field, i.reason])).toEqual([
      [0, "domain", "public-suffix"],
      [1, "domain", "public-suffix"],
      [2, "domain", "not-registrable"],
      [3, "domain", "hyphen-at-label-edge"],
      [4, "domain", "empty"],
      [5, "tenantId", "missing-tenant"],
      [6, "ownedDomains", "public-suffix"],
      [6, "allowlist", "empty-label"],
    ]);
    expect((error as WatchlistError).message).toContain("foo.bar.com");
  });

  it("merges duplicate entries", () => {
    const idx = buildLookalikeIndex([
      { tenantId: "t", domain: "paypal.com" },
      { tenantId: "t", domain: "PAYPAL.com." },
    ]);
    expect(idx.brandCount).toBe(1);
  });
});

describe("popular domains", () => {
  it("are recognised by the shipped filter", () => {
    for (const d of ["google.com", "notino.sk", "amazone.de", "wikipedia.org"])
      expect(isPopularDomain(d)).toBe(true);
    for (const d of ["paypa1-login-secure.com", "xk9q-paypa1.com", "cryptomint.space"]) {
      expect(isPopularDomain(d)).toBe(false);
    }
  });

  it("never raise event 12 by default, except for IDN homographs; event 13 stays", () => {
    const brands = [{ tenantId: "t", domain: "notion.site" }];
    expect(buildLookalikeIndex(brands).match("notino.sk")).toEqual([]);
    expect(
      buildLookalikeIndex(brands, { exemptPopularDomains: false })
        .match("notino.sk")
        .map((m) => m.techniques),
    ).toEqual([["transposition"]]);
    const g = buildLookalikeIndex([{ tenantId: "t", domain: "google.de" }]);
    expect(g.match("google.com").map((m) => m.eventId)).toEqual([13]);
    expect(g.match("gooogle.de").map((m) => m.eventId)).toEqual([12]); // not a popular site
  });
});

describe("lookalikeDedupKey", () => {
  it("is one key per registrable domain (the store scopes it to the tenant)", () => {
    const a = only("login.paypa1.com", "acme");
    const b = only("www.paypa1.com", "acme");
    const c = only("paypa1.net", "acme");
    expect(lookalikeDedupKey(a)).toBe("lookalike|paypa1.com");
    expect(lookalikeDedupKey(a)).toBe(lookalikeDedupKey(b));
    expect(lookalikeDedupKey(a)).not.toBe(lookalikeDedupKey(c));
    // Event 13 and event 12 names under one registrable domain share the key.
    expect(lookalikeDedupKey(only("paypal.co", "acme"))).toBe(
      lookalikeDedupKey(only("login.paypal.co", "acme")),
    );
  });
});

describe("lookalikeIndexBuildSteps", () => {
  const inputs = Array.from({ length: 25 }, (_, i) => ({ tenantId: `t${i % 3}`, domain: `brand${i}x.com` }));

  it("yields progress between steps and returns the same index as buildLookalikeIndex", () => {
    const steps = lookalikeIndexBuildSteps(inputs, {}, { stepSize: 10 });
    const progress: LookalikeBuildProgress[] = [];
    let r = steps.next();
    while (!r.done) {
      progress.push(r.value);
      r = steps.next();
    }
    expect(progress).toEqual([
      { phase: "validate", done: 10, total: 25 },
      { phase: "validate", done: 20, total: 25 },
      { phase: "index", done: 10, total: 25 },
      { phase: "index", done: 20, total: 25 },
    ]);
    const whole = buildLookalikeIndex(inputs);
    expect(r.value.brandCount).toBe(whole.brandCount);
    expect(r.value.deletionKeyCount).toBe(whole.deletionKeyCount);
    expect(r.value.match("brand7xx.com")).toEqual(whole.match("brand7xx.com"));
    expect(r.value.match("brand7xx.com")).toHaveLength(1);
  });

  it("skipInvalid leaves bad values out and lists them instead of throwing", () => {
    const idx = buildLookalikeIndex(
      [
        { tenantId: "t", domain: "paypal.com", ownedDomains: ["com", "paypal.de"] },
        { tenantId: "t", domain: "www.google.com" },
        { tenantId: "", domain: "apple.com" },
        { tenantId: "u", domain: "microsoft.com", allowlist: ["bad..name"] },
      ],
      {},
      { skipInvalid: true },
    );
    expect(idx.brandCount).toBe(2);
    expect(idx.issues.map((i) => [i.index, i.field, i.reason])).toEqual([
      [0, "ownedDomains", "public-suffix"],
      [1, "domain", "not-registrable"],
      [2, "tenantId", "missing-tenant"],
      [3, "allowlist", "empty-label"],
    ]);
    // The good owned name of a brand with a bad one still applies.
    expect(idx.match("paypal.de")).toEqual([]);
    expect(idx.match("paypal.fr").map((m) => m.tenantId)).toEqual(["t"]);
    expect(idx.match("rnicrosoft.com").map((m) => m.tenantId)).toEqual(["u"]);
    expect(() => buildLookalikeIndex([{ tenantId: "t", domain: "com" }])).toThrow(WatchlistError);
    expect(buildLookalikeIndex([{ tenantId: "t", domain: "paypal.com" }]).issues).toEqual([]);
  });
});
