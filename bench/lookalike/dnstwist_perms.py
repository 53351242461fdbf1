"""Generate dnstwist permutations offline (no DNS) for the lookalike quality harness.

usage: dnstwist_perms.py BRANDS_FILE WORDS_FILE TLDS_FILE OUT_JSONL [CAP_PER_FUZZER]

Uses dnstwist's Python API (Fuzzer.generate), which only permutes names; the CLI would
try to resolve every permutation. Each (brand, fuzzer) is capped at CAP permutations
(seeded sample) because the two-pass homoglyph fuzzer yields thousands per brand.
"""

import json
import random
import sys

import dnstwist


def main() -> None:
    brands_file, words_file, tlds_file, out_file = sys.argv[1:5]
    cap = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    words = [w.strip() for w in open(words_file, encoding="utf-8") if w.strip()]
    tlds = [t.strip() for t in open(tlds_file, encoding="utf-8") if t.strip()]
    brands = [b.strip() for b in open(brands_file, encoding="utf-8") if b.strip()]
    with open(out_file, "w", encoding="utf-8") as out:
        for brand in brands:
            fuzz = dnstwist.Fuzzer(brand, dictionary=words, tld_dictionary=list(tlds))
            fuzz.generate()
            by_fuzzer: dict[str, list[str]] = {}
            for p in fuzz.permutations():
                if p["fuzzer"] == "*original" or not p["domain"]:
                    continue
                by_fuzzer.setdefault(p["fuzzer"], []).append(p["domain"])
            rnd = random.Random(brand)
            for fuzzer, domains in sorted(by_fuzzer.items()):
                domains.sort()
                if len(domains) > cap:
                    domains = rnd.sample(domains, cap)
                for d in domains:
                    out.write(json.dumps({"brand": brand, "fuzzer": fuzzer, "domain": d}) + "\n")
    print(f"dnstwist {dnstwist.__version__}: {len(brands)} brands -> {out_file}", file=sys.stderr)


if __name__ == "__main__":
    main()
