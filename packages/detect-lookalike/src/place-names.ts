/**
 * Country and region names as written in 15 large web languages, folded to lowercase ASCII
 * letters (`canada`, `europa`, `turkiye`, `deutschland`, `brasil`): a brand label that is a
 * place name is a generic word inside other names (`aircanadacargo`, `europaoil`), so it is
 * treated like a dictionary word (a combosquat needs a strong keyword next to it).
 *
 * Source: ICU's region display names (`Intl.DisplayNames`, Node 24) for every ISO 3166
 * alpha-2 code and the UN M49 macro-regions. Built on first use (about 1k lookups).
 */
const LOCALES = ["en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "id", "sv", "ro", "ru", "zh", "ja"];
const M49 = ["001", "002", "003", "005", "009", "011", "013", "014", "015", "017", "018", "019", "021"]
  .concat(["029", "030", "034", "035", "039", "053", "054", "057", "061", "142", "143", "145", "150"])
  .concat(["151", "154", "155", "202", "419"]);

let names: Set<string> | undefined;

function build(): Set<string> {
  const out = new Set<string>();
  const codes = [...M49];
  for (let a = 65; a <= 90; a++) for (let b = 65; b <= 90; b++) codes.push(String.fromCharCode(a, b));
  for (const locale of LOCALES) {
    const dn = new Intl.DisplayNames([locale], { type: "region", fallback: "none" });
    for (const code of codes) {
      let name: string | undefined;
      try {
        name = dn.of(code);
      } catch {
        continue;
      }
      if (name === undefined || name === code) continue;
      const folded = name
        .normalize("NFD")
        .replace(/\p{M}/gu, "")
        .toLowerCase()
        .replace(/[^a-z]/g, "");
      if (folded.length >= 4) out.add(folded);
    }
  }
  return out;
}

/** Whether `label` (lowercase ASCII) is a country or region name in a large web language. */
export function isPlaceName(label: string): boolean {
  names ??= build();
  return names.has(label);
}
