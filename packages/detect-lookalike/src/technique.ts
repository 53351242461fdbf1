/**
 * How a name imitates a watched brand. Names follow dnstwist's fuzzers where one
 * exists, so detections line up with its permutations.
 * - `tld-swap`: same label under another public suffix (event 13 when it is the only technique).
 * - `homoglyph`: same visual skeleton with ASCII or Unicode lookalike characters.
 * - `idn-homograph`: homoglyph that uses an internationalised (xn--) label.
 * - `addition`: one character appended to the label.
 * - `bitsquatting`: one character that differs by a single bit.
 * - `hyphenation`: a hyphen inserted.
 * - `insertion`: one character inserted next to a keyboard neighbour, or anywhere.
 * - `omission`: one character left out.
 * - `repetition`: one character doubled.
 * - `replacement`: one character replaced by a keyboard neighbour.
 * - `substitution`: one character replaced (no more specific technique applies).
 * - `transposition`: two adjacent characters swapped.
 * - `vowel-swap`: one vowel replaced by another.
 * - `edit-distance-2`: two edits at once, only for long brand labels (10+ by default).
 * - `edit-distance-3`: three edits at once, only for longer brand labels (13+ by default).
 * - `label-split`: the label split by a dot (`pay.pal.com`).
 * - `combosquat`: the brand as a token of a longer label (`paypal-login.com`, `securepaypal.com`).
 * - `target-embedding`: the brand's domain embedded (`paypal.com.evil.net`, `paypal-com.net`, `paypalcom.net`).
 * - `subdomain-brand`: the brand label as a whole subdomain label of another site (`paypal.evil.net`).
 */
export type Technique =
  | "tld-swap"
  | "homoglyph"
  | "idn-homograph"
  | "addition"
  | "bitsquatting"
  | "hyphenation"
  | "insertion"
  | "omission"
  | "repetition"
  | "replacement"
  | "substitution"
  | "transposition"
  | "vowel-swap"
  | "edit-distance-2"
  | "edit-distance-3"
  | "label-split"
  | "combosquat"
  | "target-embedding"
  | "subdomain-brand";
