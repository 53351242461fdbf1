/**
 * Short affixes that combosquats glue to a brand besides words: country and region codes
 * (`paypaluk`, `amazonde`, `hr-instagram`) and company-form suffixes (`airbnbinc`,
 * `xiaomicorp`). Used only to decide whether what is glued to a distinctive brand "reads as"
 * words (`LookalikeIndex` contained-brand rule); they are not phishing keywords.
 *
 * Country codes: ISO 3166-1 alpha-2 as known to ICU (`Intl.DisplayNames` region names, Node
 * 24), minus withdrawn and exceptionally reserved codes, plus `uk` and `eu` (ccTLDs).
 * Company forms: written for this package from common legal-entity abbreviations.
 */
const COUNTRY_CODES = `
  ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq
  br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do
  dz ec ee eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt
  gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr
  kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt
  mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt
  pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc
  td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk um us uy uz va vc ve vg vi vn vu wf ws
  xk ye yt za zm zw
`;

const COMPANY_FORMS = "inc corp llc ltd plc gmbh ag sa sas srl spa bv nv pty kk oy ab as";

/** Two-letter country codes and company-form abbreviations, lowercase. */
export const NAME_AFFIXES: ReadonlySet<string> = new Set(
  `${COUNTRY_CODES} ${COMPANY_FORMS}`.split(/\s+/).filter((s) => s !== ""),
);
