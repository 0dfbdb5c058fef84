//! Made-up Dutch shop text, prices, product names, images and CSS.

use super::*;

#[rustfmt::skip]
pub(crate) const WORDS: &[&str] = &[
    "de", "het", "een", "en", "van", "voor", "met", "op", "in", "is", "niet", "maar", "ook", "dat", "zeer",
    "jas", "winter", "warm", "licht", "waterdicht", "ademend", "comfortabel", "stevig", "zacht", "ruim",
    "pasvorm", "maat", "kraag", "capuchon", "rits", "zakken", "mouwen", "voering", "dons", "isolatie",
    "materiaal", "kwaliteit", "prijs", "levering", "snel", "goed", "prima", "mooi", "kleur", "donker",
    "blauw", "groen", "zwart", "grijs", "rood", "beige", "wandelen", "fietsen", "stad", "bergen", "regen",
    "wind", "sneeuw", "koud", "graden", "dagen", "gebruik", "gedragen", "gekocht", "besteld", "geleverd",
    "retour", "klantenservice", "vriendelijk", "aanrader", "verwacht", "klein", "groot", "normaal", "valt",
    "zit", "voelt", "houdt", "droog", "buiten", "binnen", "lang", "kort", "model", "stof", "naden", "getapet",
    "gerecycled", "polyester", "nylon", "wol", "katoen", "duurzaam", "gecertificeerd", "elke", "dag",
    "weekend", "vakantie", "Noorwegen", "Schotland", "Alpen", "tocht", "rugzak", "schouders", "heupen",
    "lengte", "verstelbaar", "elastisch", "manchetten", "klittenband", "drukknopen", "binnenzak", "telefoon",
    "sleutels", "handschoenen", "muts", "sjaal", "laag", "onder", "boven", "combinatie", "perfect", "fijn",
    "helaas", "jammer", "tevreden", "blij", "echt", "heel", "best", "redelijk", "iets", "beetje", "veel",
    "weinig", "meer", "minder", "zonder", "tijdens", "na", "voor", "sinds", "jaar", "seizoen", "maanden",
    "weken", "eerste", "tweede", "keer", "opnieuw", "zeker", "misschien", "altijd", "nooit", "soms", "vaak",
    "gewicht", "gram", "compact", "opvouwbaar", "reflecterend", "details", "afwerking", "stiksels", "logo",
    "borst", "rug", "voorkant", "achterkant", "zijkant", "onderkant",
];

#[rustfmt::skip]
pub(crate) const NOUNS: &[&str] = &[
    "winterjas", "softshell", "fleecevest", "donsjack", "regenjas", "parka", "bodywarmer", "wandelbroek",
    "merino shirt", "thermolegging", "wandelschoen", "trailrunner", "rugzak", "muts", "handschoenen", "sjaal",
    "sokken", "hardshell", "anorak", "windjack",
];
#[rustfmt::skip]
pub(crate) const ADJECTIVES: &[&str] = &[
    "Gewatteerde", "Lichtgewicht", "Waterdichte", "Ademende", "Warme", "Gerecyclede", "Compacte", "Stevige",
    "Technische", "Klassieke", "Wollen", "Geïsoleerde",
];
#[rustfmt::skip]
pub(crate) const MODELS: &[&str] = &[
    "Oslo", "Bergen", "Tromsø", "Lofoten", "Narvik", "Alta", "Voss", "Geiranger", "Femund", "Rondane",
    "Jotun", "Hardanger", "Sarek", "Abisko", "Kebne",
];
#[rustfmt::skip]
pub(crate) const COLOURS: &[&str] = &[
    "donkerblauw", "zwart", "olijfgroen", "antraciet", "bordeaux", "zand", "oker", "petrol", "steengrijs",
];
#[rustfmt::skip]
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Sanne", "Daan", "Lotte", "Bram", "Femke", "Jeroen", "Anouk", "Ruben", "Iris", "Thijs", "Noor", "Joris",
];
#[rustfmt::skip]
pub(crate) const MONTHS: &[&str] = &[
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
    "november", "december",
];

pub(crate) fn sentence(rng: &mut Rng, min: i64, max: i64) -> String {
    let n = rng.range(min, max);
    let mut text = String::new();
    for i in 0..n {
        let word = *rng.pick(WORDS);
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                text.extend(first.to_uppercase());
                text.push_str(chars.as_str());
            }
        } else {
            text.push(' ');
            text.push_str(word);
            if rng.chance(0.06) {
                text.push(',');
            }
        }
    }
    text.push('.');
    text
}

pub(crate) fn paragraph(rng: &mut Rng, min: i64, max: i64) -> String {
    let sentences = rng.range(min, max);
    (0..sentences).map(|_| sentence(rng, 6, 18)).collect::<Vec<_>>().join(" ")
}

pub(crate) fn price(cents: i64) -> String {
    let euros = cents / 100;
    let euros =
        if euros >= 1000 { format!("{}.{:03}", euros / 1000, euros % 1000) } else { euros.to_string() };
    format!("€ {euros},{:02}", cents % 100)
}

pub(crate) fn product_name(rng: &mut Rng) -> String {
    format!("{} {} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS), rng.pick(MODELS))
}

pub(crate) fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

pub(crate) fn image(rng: &mut Rng, slug: &str, n: i64) -> (String, String) {
    let dir = format!("{}/{}", rng.hex(1), rng.hex(1));
    let version = rng.hex(8);
    let url = |w: i64| format!("{CDN}/{dir}/{slug}-{n}.jpg?w={w}&q=80&v={version}");
    let srcset = format!("{} 400w, {} 800w, {} 1200w", url(400), url(800), url(1200));
    (url(800), srcset)
}

pub(crate) fn masked(len: usize) -> String {
    "*".repeat(len)
}

/// A minified style sheet of `rules` rules: rrweb inlines linked sheets as
/// `_cssText`, and on a real shop they are most of a FullSnapshot's bytes.
pub(crate) fn stylesheet(rng: &mut Rng, rules: usize) -> String {
    const BLOCKS: &[&str] = &[
        "header",
        "nav",
        "mega-menu",
        "breadcrumb",
        "gallery",
        "slide",
        "thumb",
        "product",
        "price",
        "rating",
        "swatch",
        "size-select",
        "btn",
        "usp",
        "accordion",
        "review",
        "card",
        "badge",
        "footer",
        "newsletter",
        "toast",
        "drawer",
        "cart-item",
        "checkout",
        "field",
        "radio",
        "summary",
        "stepper",
    ];
    const ELEMENTS: &[&str] =
        &["", "", "__inner", "__title", "__img", "__label", "__icon", "__meta", "__list", "__item", "__link"];
    const STATES: &[&str] =
        &["", "", "", ":hover", ":focus-visible", ".is-active", ".is-open", "::before", "::after", "--large"];
    const PALETTE: &[&str] = &[
        "#1b2a3a",
        "#ffffff",
        "#f4f1ec",
        "#c8462b",
        "#2f6b4f",
        "#6b7785",
        "#e2ded6",
        "#0f1720",
        "#f9c74f",
        "#3b82c4",
        "rgba(15,23,32,.08)",
        "rgba(15,23,32,.64)",
        "var(--color-accent)",
        "currentColor",
    ];
    let sizes =
        ["0", "2px", "4px", "6px", "8px", "12px", "16px", "20px", "24px", "32px", "48px", ".5rem", "1rem"];
    let mut css = String::from(
        ":root{--color-accent:#c8462b;--color-ink:#1b2a3a;--radius:6px;--gap:16px;\
         --font:\"Inter\",system-ui,sans-serif}",
    );
    let mut in_media = false;
    for i in 0..rules {
        if i % 45 == 36 {
            css.push_str(&format!("@media (min-width:{}px){{", rng.pick(&[576, 768, 992, 1200, 1400])));
            in_media = true;
        }
        let block = rng.pick(BLOCKS);
        css.push_str(&format!(".{block}{}{}", rng.pick(ELEMENTS), rng.pick(STATES)));
        if rng.chance(0.2) {
            css.push_str(&format!(",.{}{}", rng.pick(BLOCKS), rng.pick(ELEMENTS)));
        }
        css.push('{');
        let declarations = rng.range(1, 6);
        for d in 0..declarations {
            if d > 0 {
                css.push(';');
            }
            let declaration = match rng.below(16) {
                0 => format!("display:{}", rng.pick(&["block", "flex", "grid", "none", "inline-flex"])),
                1 => format!("margin:{} {}", rng.pick(&sizes), rng.pick(&sizes)),
                2 => format!("padding:{} {}", rng.pick(&sizes), rng.pick(&sizes)),
                3 => format!("color:{}", rng.pick(PALETTE)),
                4 => format!("background-color:{}", rng.pick(PALETTE)),
                5 => format!(
                    "font-size:{}",
                    rng.pick(&["12px", "13px", "14px", "16px", "18px", "1.25rem", "2rem"])
                ),
                6 => format!("line-height:{}", rng.pick(&["1", "1.2", "1.4", "1.5", "24px"])),
                7 => format!("font-weight:{}", rng.pick(&["400", "500", "600", "700"])),
                8 => format!("border:1px solid {}", rng.pick(PALETTE)),
                9 => format!("border-radius:{}", rng.pick(&["var(--radius)", "50%", "2px", "999px"])),
                10 => format!("gap:{}", rng.pick(&sizes)),
                11 => format!(
                    "transition:{} {}ms ease",
                    rng.pick(&["opacity", "transform", "color", "all"]),
                    rng.range(1, 6) * 50
                ),
                12 => format!("transform:translate{}({}%)", rng.pick(&["X", "Y"]), rng.range(-100, 100)),
                13 => format!("grid-template-columns:repeat({},minmax(0,1fr))", rng.range(1, 6)),
                14 => {
                    format!("box-shadow:0 {}px {}px {}", rng.range(0, 4), rng.range(2, 24), rng.pick(PALETTE))
                }
                _ => format!(
                    "{}:{}",
                    rng.pick(&["width", "height", "max-width", "min-height", "top", "left", "z-index"]),
                    rng.range(0, 1200)
                ),
            };
            css.push_str(&declaration);
        }
        css.push('}');
        if i % 45 == 44 && in_media {
            css.push('}');
            in_media = false;
        }
    }
    if in_media {
        css.push('}');
    }
    css
}
