//! The two pages of the visit: a product page and the checkout.
use std::collections::HashMap;

use serde_json::{Value, json};

use super::dom::*;
use super::text::*;
use super::*;

/// Ids the product page's behaviour needs after renumbering.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProductPage {
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) name: String,
    pub(crate) price_cents: i64,
    pub(crate) doc_h: i64,
    pub(crate) snapshot: Value,
    pub(crate) head: Value,
    pub(crate) header: Value,
    pub(crate) footer: Value,
    pub(crate) title_text: i64,
    pub(crate) body: i64,
    pub(crate) nodes: usize,
    pub(crate) next_id: i64,
    pub(crate) regions: Vec<Region>,
    pub(crate) nav_items: Vec<i64>,
    pub(crate) mega_menus: Vec<i64>,
    pub(crate) cart_count_text: i64,
    pub(crate) cart_link: i64,
    pub(crate) slides: Vec<i64>,
    pub(crate) slide_imgs: Vec<i64>,
    pub(crate) dots: Vec<i64>,
    pub(crate) track: i64,
    pub(crate) thumbs: Vec<i64>,
    pub(crate) swatches: Vec<i64>,
    pub(crate) colour_text: i64,
    pub(crate) size_select: i64,
    pub(crate) add_button: i64,
    pub(crate) accordions: Vec<(i64, i64)>,
    pub(crate) viewers_text: i64,
    pub(crate) reviews_more: Vec<(i64, i64)>,
    pub(crate) cards: Vec<(i64, i64)>,
    pub(crate) card_buttons: Vec<i64>,
    pub(crate) lazy: Vec<(i64, i64, String, String)>,
    pub(crate) dead_targets: Vec<i64>,
    pub(crate) drawer: i64,
    pub(crate) drawer_list: i64,
    pub(crate) drawer_close: i64,
    pub(crate) drawer_checkout: i64,
    pub(crate) toast_host: i64,
    pub(crate) swatch_names: Vec<String>,
}

pub(crate) fn head(dom: &mut Dom, rng: &mut Rng, title: &str) -> (Value, Value) {
    let title_text = dom.text(title);
    let title_el = dom.el("title", &[], vec![title_text.clone()]);
    let mut children = vec![
        dom.el("meta", &[("charset", "utf-8")], vec![]),
        title_el,
        dom.el("meta", &[("name", "viewport"), ("content", "width=device-width, initial-scale=1")], vec![]),
    ];
    let description = sentence(rng, 12, 20);
    for (name, content) in [
        ("description", description.as_str()),
        ("theme-color", "#1b2a3a"),
        ("og:type", "website"),
        ("og:site_name", "Noorderlicht Outdoor"),
        ("twitter:card", "summary_large_image"),
        ("format-detection", "telephone=no"),
    ] {
        children.push(dom.el("meta", &[("name", name), ("content", content)], vec![]));
    }
    for (rel, href) in [
        ("preconnect", "https://cdn.noorderlicht-outdoor.example"),
        ("icon", "/static/favicon-32.png"),
        ("apple-touch-icon", "/static/apple-touch-icon.png"),
        ("manifest", "/site.webmanifest"),
    ] {
        children.push(dom.el("link", &[("rel", rel), ("href", href)], vec![]));
    }
    // What the site serves everyone alike comes from its own seed.
    let mut site_rng = dom.site.map(Rng::new);
    let rng: &mut Rng = match site_rng.as_mut() {
        Some(site) => site,
        None => rng,
    };
    let sheet = stylesheet(rng, 700);
    let version = rng.hex(10);
    let href = format!("/static/css/app.{version}.css");
    children.push(dom.el("link", &[("rel", "stylesheet"), ("href", &href), ("_cssText", &sheet)], vec![]));
    let inline = stylesheet(rng, 40);
    let inline_text = json!({"type": 3, "textContent": inline, "isStyle": true, "id": dom.next()});
    children.push(dom.el("style", &[("data-emotion", "css")], vec![inline_text]));
    for name in ["runtime", "vendors", "app", "product", "analytics-consent"] {
        let src = format!("/static/js/{name}.{}.js", rng.hex(8));
        let script_text = dom.text("SCRIPT_PLACEHOLDER");
        children.push(dom.el("script", &[("src", &src), ("defer", "")], vec![script_text]));
    }
    let head = dom.block("head", &[], children, 1);
    (head, title_text)
}

pub(crate) fn header(dom: &mut Dom, rng: &mut Rng, page: &mut ProductPage) -> Value {
    let logo = dom.el(
        "img",
        &[
            ("src", "/static/img/logo.svg"),
            ("alt", "Noorderlicht Outdoor"),
            ("width", "168"),
            ("height", "32"),
        ],
        vec![],
    );
    let logo_link = dom.el("a", &[("href", "/"), ("class", "header__logo")], vec![logo]);
    dom.fixed_region(&logo_link, Rect { x: 40, y: 18, w: 168, h: 36 }, "header > a.header__logo");
    let search_input = dom.el(
        "input",
        &[
            ("type", "search"),
            ("name", "q"),
            ("placeholder", "Zoek in 4.000+ producten"),
            ("class", "search__input"),
        ],
        vec![],
    );
    dom.fixed_region(&search_input, Rect { x: 420, y: 16, w: 520, h: 40 }, "header form.search > input");
    let search_button_text = dom.text("Zoeken");
    let search_button =
        dom.el("button", &[("type", "submit"), ("class", "search__btn")], vec![search_button_text]);
    let search = dom.el(
        "form",
        &[("class", "search"), ("action", "/zoeken"), ("role", "search")],
        vec![search_input, search_button],
    );
    let count_text = dom.text("0");
    page.cart_count_text = id_of(&count_text);
    let count = dom.el("span", &[("class", "cart__count"), ("aria-live", "polite")], vec![count_text]);
    let cart_label = dom.text("Winkelmand");
    let cart = dom.el("a", &[("href", "/winkelmand"), ("class", "header__cart")], vec![cart_label, count]);
    page.cart_link =
        dom.fixed_region(&cart, Rect { x: 1260, y: 18, w: 140, h: 36 }, "header > a.header__cart");
    let account_text = dom.text("Inloggen");
    let account = dom.el("a", &[("href", "/account"), ("class", "header__account")], vec![account_text]);
    dom.fixed_region(&account, Rect { x: 1120, y: 18, w: 110, h: 36 }, "header > a.header__account");

    let categories =
        ["Heren", "Dames", "Kinderen", "Schoenen", "Rugzakken", "Kamperen", "Accessoires", "Sale"];
    let mut items = Vec::new();
    for (i, category) in categories.iter().enumerate() {
        let mut links = Vec::new();
        for _ in 0..rng.range(6, 9) {
            let noun = *rng.pick(NOUNS);
            let href = format!("/{}/{}", slug(category), slug(noun));
            let label = dom.text(format!("{}{}", noun[..1].to_uppercase(), &noun[1..]));
            let a = dom.el("a", &[("href", &href)], vec![label]);
            links.push(dom.el("li", &[("class", "mega-menu__item")], vec![a]));
        }
        let list = dom.block("ul", &[("class", "mega-menu__list")], links, 6);
        let menu = dom.el("div", &[("class", "mega-menu"), ("hidden", "")], vec![list]);
        page.mega_menus.push(id_of(&menu));
        let label = dom.text(*category);
        let href = format!("/{}", slug(category));
        let a =
            dom.el("a", &[("href", &href), ("class", "nav__link"), ("aria-expanded", "false")], vec![label]);
        let x = 200 + i as i64 * 130;
        let selector = format!("header nav > ul > li:nth-child({}) > a.nav__link", i + 1);
        page.nav_items.push(dom.fixed_region(&a, Rect { x, y: 72, w: 110, h: 44 }, &selector));
        items.push(dom.block("li", &[("class", "nav__item")], vec![a, menu], 5));
    }
    let list = dom.block("ul", &[("class", "nav__list")], items, 4);
    let nav = dom.block("nav", &[("class", "nav"), ("aria-label", "Hoofdmenu")], vec![list], 3);
    let top = dom.block("div", &[("class", "header__top")], vec![logo_link, search, account, cart], 3);
    let usp_texts = ["Gratis verzending vanaf € 50", "Morgen in huis", "30 dagen bedenktijd"];
    let usps: Vec<Value> = usp_texts
        .iter()
        .map(|text| {
            let t = dom.text(*text);
            dom.el("li", &[], vec![t])
        })
        .collect();
    let usp = dom.block("ul", &[("class", "usp-bar")], usps, 3);
    let header = dom.block("header", &[("class", "header header--sticky")], vec![usp, top, nav], 2);
    dom.fixed_region(&header, Rect { x: 0, y: 0, w: DOC_W, h: 120 }, "header");
    header
}

pub(crate) fn footer(dom: &mut Dom, rng: &mut Rng, top: i64) -> Value {
    let mut columns = Vec::new();
    for heading in ["Klantenservice", "Over ons", "Inspiratie", "Volg ons"] {
        let heading_text = dom.text(heading);
        let h = dom.el("h4", &[], vec![heading_text]);
        let mut links = Vec::new();
        for _ in 0..6 {
            let label = sentence(rng, 1, 3);
            let label = label.trim_end_matches('.');
            let href = format!("/{}", slug(label));
            let text = dom.text(label);
            let a = dom.el("a", &[("href", &href)], vec![text]);
            links.push(dom.el("li", &[], vec![a]));
        }
        let ul = dom.block("ul", &[], links, 5);
        columns.push(dom.block("div", &[("class", "footer__col")], vec![h, ul], 4));
    }
    let email = dom.el(
        "input",
        &[("type", "email"), ("name", "email"), ("placeholder", "Je e-mailadres"), ("autocomplete", "email")],
        vec![],
    );
    dom.region(&email, Rect { x: 80, y: top + 380, w: 360, h: 44 }, "footer form.newsletter > input");
    let subscribe_text = dom.text("Aanmelden");
    let subscribe = dom.el("button", &[("type", "submit")], vec![subscribe_text]);
    let pitch = dom.text(sentence(rng, 8, 14));
    let p = dom.el("p", &[], vec![pitch]);
    let newsletter = dom.block("form", &[("class", "newsletter")], vec![p, email, subscribe], 3);
    let legal_text = dom.text(format!(
        "© 2026 Noorderlicht Outdoor B.V. · KvK 8{} · Alle prijzen zijn inclusief btw.",
        rng.range(1_000_000, 9_999_999)
    ));
    let legal = dom.el("p", &[("class", "footer__legal")], vec![legal_text]);
    let cols = dom.block("div", &[("class", "footer__cols")], columns, 3);
    let footer = dom.block("footer", &[("class", "footer")], vec![cols, newsletter, legal], 2);
    dom.region(&footer, Rect { x: 0, y: top, w: DOC_W, h: 600 }, "footer");
    footer
}

pub(crate) fn product_page(rng: &mut Rng, dom: &mut Dom) -> ProductPage {
    let mut page = ProductPage::default();
    let name = product_name(rng);
    let colour = *rng.pick(COLOURS);
    let product_slug = slug(&name);
    page.name = format!("{name} {colour}");
    page.price_cents = rng.range(60, 400) * 100 - 5;
    page.url =
        format!("{ORIGIN}/products/{product_slug}-{}?kleur={}", rng.range(100_000, 999_999), slug(colour));
    page.title = format!("{} – Noorderlicht Outdoor", page.name);
    page.doc_h = 5160;

    let (head_el, title_text) = head(dom, rng, &page.title);
    let header_el = header(dom, rng, &mut page);

    // Breadcrumb.
    let mut crumbs = Vec::new();
    for label in ["Home", "Heren", "Jassen", &name] {
        let text = dom.text(label);
        let href = format!("/{}", slug(label));
        let a = dom.el("a", &[("href", &href)], vec![text]);
        crumbs.push(dom.el("li", &[("class", "breadcrumb__item")], vec![a]));
    }
    let breadcrumb = dom.block("ol", &[("class", "breadcrumb")], crumbs, 3);

    // Gallery: a carousel of six slides with thumbnails.
    let mut slides = Vec::new();
    let mut thumbs = Vec::new();
    let mut dots = Vec::new();
    for i in 0..6 {
        let (src, srcset) = image(rng, &product_slug, i + 1);
        let alt = format!("{} – afbeelding {}", page.name, i + 1);
        let img = dom.el(
            "img",
            &[
                ("src", &src),
                ("srcset", &srcset),
                ("sizes", "(min-width: 992px) 680px, 100vw"),
                ("alt", &alt),
            ],
            vec![],
        );
        page.slide_imgs.push(id_of(&img));
        let class = if i == 0 { "slide is-active" } else { "slide" };
        let slide = dom.el(
            "div",
            &[("class", class), ("role", "group"), ("aria-roledescription", "slide")],
            vec![img],
        );
        page.slides.push(id_of(&slide));
        let (thumb_src, _) = image(rng, &product_slug, i + 1);
        let thumb_src = thumb_src.replace("w=800", "w=120");
        let thumb_img = dom.el("img", &[("src", &thumb_src), ("alt", ""), ("loading", "lazy")], vec![]);
        let thumb = dom.el("button", &[("class", "thumb"), ("type", "button")], vec![thumb_img]);
        let selector = format!("main .gallery__thumbs > button.thumb:nth-child({})", i + 1);
        page.thumbs.push(dom.region(&thumb, Rect { x: 80 + i * 112, y: 880, w: 100, h: 80 }, &selector));
        let dot = dom.el("button", &[("class", if i == 0 { "dot is-active" } else { "dot" })], vec![]);
        page.dots.push(id_of(&dot));
        dots.push(dot);
        thumbs.push(thumb);
        slides.push(slide);
    }
    let track = dom.block(
        "div",
        &[("class", "gallery__track"), ("style", "transform: translate3d(0px, 0px, 0px);")],
        slides,
        5,
    );
    page.track = dom.region(&track, Rect { x: 80, y: 180, w: 680, h: 680 }, "main .gallery__track");
    page.dead_targets.push(page.track);
    let dots = dom.block("div", &[("class", "gallery__dots")], dots, 5);
    let thumbs = dom.block("div", &[("class", "gallery__thumbs")], thumbs, 5);
    let gallery = dom.block(
        "section",
        &[("class", "gallery"), ("aria-label", "Productafbeeldingen")],
        vec![track, dots, thumbs],
        4,
    );

    // Buy box.
    let h1_text = dom.text(page.name.clone());
    let h1 = dom.el("h1", &[("class", "product__title")], vec![h1_text]);
    let price_text = dom.text(price(page.price_cents));
    let price_el = dom.el("span", &[("class", "price price--current")], vec![price_text]);
    page.dead_targets.push(dom.region(
        &price_el,
        Rect { x: 800, y: 260, w: 160, h: 36 },
        "main .product .price",
    ));
    let was_text = dom.text(price(page.price_cents + rng.range(2, 8) * 1000));
    let was = dom.el("s", &[("class", "price price--was")], vec![was_text]);
    let reviews_count = rng.range(12, 480);
    let rating_text = dom.text(format!("{},{} ({reviews_count} reviews)", rng.range(3, 4), rng.range(0, 9)));
    let rating = dom.el("div", &[("class", "rating"), ("aria-label", "Beoordeling")], vec![rating_text]);
    let viewers = dom.text(format!("{} mensen bekijken dit product nu", rng.range(3, 40)));
    page.viewers_text = id_of(&viewers);
    let viewers = dom.el("p", &[("class", "product__social-proof")], vec![viewers]);
    let colour_label = dom.text(format!("Kleur: {colour}"));
    page.colour_text = id_of(&colour_label);
    let colour_label = dom.el("p", &[("class", "swatch__label")], vec![colour_label]);
    let mut swatches = Vec::new();
    for (i, c) in COLOURS.iter().take(6).enumerate() {
        let class = if *c == colour { "swatch is-active" } else { "swatch" };
        let label = format!("Kleur {c}");
        let swatch =
            dom.el("button", &[("class", class), ("aria-label", &label), ("data-colour", c)], vec![]);
        let selector = format!("main .product .swatch:nth-child({})", i + 1);
        page.swatches.push(dom.region(
            &swatch,
            Rect { x: 800 + i as i64 * 52, y: 370, w: 40, h: 40 },
            &selector,
        ));
        page.swatch_names.push((*c).to_owned());
        swatches.push(swatch);
    }
    let swatches = dom.block("div", &[("class", "swatch__list"), ("role", "radiogroup")], swatches, 5);
    let mut options = Vec::new();
    for size in ["Kies je maat", "XS", "S", "M", "L", "XL", "XXL", "3XL"] {
        let text = dom.text(size);
        let value = if size.starts_with("Kies") { "" } else { size };
        options.push(dom.el("option", &[("value", value)], vec![text]));
    }
    let select =
        dom.block("select", &[("name", "size"), ("id", "size"), ("class", "size-select")], options, 5);
    page.size_select =
        dom.region(&select, Rect { x: 800, y: 450, w: 300, h: 44 }, "main .product select#size");
    let add_text = dom.text("In winkelmand");
    let add = dom.el("button", &[("class", "btn btn--primary btn--add"), ("type", "submit")], vec![add_text]);
    page.add_button =
        dom.region(&add, Rect { x: 800, y: 520, w: 400, h: 56 }, "main .product button.btn--add");
    let form = dom.block(
        "form",
        &[("class", "product__form"), ("action", "/cart/add")],
        vec![colour_label, swatches, select, add],
        4,
    );
    let mut accordion = Vec::new();
    for (i, heading) in ["Productinformatie", "Materiaal en onderhoud", "Maattabel", "Verzending en retour"]
        .iter()
        .enumerate()
    {
        let label = dom.text(*heading);
        let button =
            dom.el("button", &[("class", "accordion__toggle"), ("aria-expanded", "false")], vec![label]);
        let selector = format!("main .accordion > div:nth-child({}) > button", i + 1);
        let toggle = dom.region(&button, Rect { x: 800, y: 740 + i as i64 * 56, w: 560, h: 48 }, &selector);
        let mut paragraphs = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let text = dom.text(paragraph(rng, 2, 4));
            paragraphs.push(dom.el("p", &[], vec![text]));
        }
        let panel = dom.block("div", &[("class", "accordion__panel"), ("hidden", "")], paragraphs, 6);
        page.accordions.push((toggle, id_of(&panel)));
        accordion.push(dom.block("div", &[("class", "accordion__item")], vec![button, panel], 5));
    }
    let accordion = dom.block("div", &[("class", "accordion")], accordion, 4);
    let buy = dom.block(
        "section",
        &[("class", "product")],
        vec![h1, price_el, was, rating, viewers, form, accordion],
        3,
    );

    // Description.
    let mut description = Vec::new();
    for _ in 0..4 {
        let text = dom.text(paragraph(rng, 3, 6));
        description.push(dom.el("p", &[], vec![text]));
    }
    let mut specs = Vec::new();
    for spec in ["Waterkolom", "Ademend vermogen", "Gewicht", "Vulling", "Buitenstof", "Pasvorm"] {
        let dt_text = dom.text(spec);
        let dd_text =
            dom.text(format!("{} {}", rng.range(2, 30) * 1000, rng.pick(&["mm", "g/m²/24u", "gram", "%"])));
        let dt = dom.el("dt", &[], vec![dt_text]);
        let dd = dom.el("dd", &[], vec![dd_text]);
        specs.push(dt);
        specs.push(dd);
    }
    description.push(dom.block("dl", &[("class", "specs")], specs, 4));
    let description = dom.block("section", &[("class", "description")], description, 3);
    dom.region(&description, Rect { x: 80, y: 1000, w: 1280, h: 520 }, "main section.description");

    // Reviews.
    let mut reviews = Vec::new();
    for i in 0..8 {
        let author = dom.text(format!("{} uit {}", rng.pick(FIRST_NAMES), rng.pick(MODELS)));
        let date = dom.text(format!("{} {} 2026", rng.range(1, 28), rng.pick(MONTHS)));
        let stars = dom.el(
            "span",
            &[("class", "rating__stars"), ("style", &format!("--rating: {}", rng.range(2, 5)))],
            vec![],
        );
        let body = dom.text(paragraph(rng, 1, 4));
        let body = dom.el("p", &[("class", "review__body review__body--clamped")], vec![body]);
        let more_text = dom.text("Lees meer");
        let more = dom.el("button", &[("class", "review__more")], vec![more_text]);
        let y = 1550 + i * 115;
        let selector = format!("main .reviews > article:nth-child({}) button.review__more", i + 1);
        let more_id = dom.region(&more, Rect { x: 80, y: y + 80, w: 90, h: 24 }, &selector);
        reviews.push(dom.block(
            "article",
            &[("class", "review")],
            vec![stars, author, date, body.clone(), more],
            4,
        ));
        page.reviews_more.push((more_id, id_of(&body)));
    }
    let reviews = dom.block("section", &[("class", "reviews")], reviews, 3);
    dom.region(&reviews, Rect { x: 80, y: 1550, w: 1280, h: 950 }, "main section.reviews");

    // Related products: sixteen lazy-loaded cards.
    let mut cards = Vec::new();
    for i in 0..16 {
        let (col, row) = (i % 4, i / 4);
        let (x, y) = (80 + col * 330, 2600 + row * 450);
        let card_name = format!("{} {}", product_name(rng), rng.pick(COLOURS));
        let card_slug = slug(&card_name);
        let (src, srcset) = image(rng, &card_slug, 1);
        let img = dom.el(
            "img",
            &[
                ("src", PLACEHOLDER),
                ("data-src", &src),
                ("data-srcset", &srcset),
                ("alt", &card_name),
                ("class", "lazy"),
            ],
            vec![],
        );
        page.lazy.push((id_of(&img), y, src, srcset));
        let href = format!("/products/{card_slug}-{}", rng.range(100_000, 999_999));
        let title_text = dom.text(card_name.clone());
        let title = dom.el("h3", &[("class", "card__title")], vec![title_text]);
        let link = dom.el("a", &[("href", &href), ("class", "card__link")], vec![img, title]);
        let cents = rng.range(15, 300) * 100 - 5;
        let price_text = dom.text(price(cents));
        let price_el = dom.el("span", &[("class", "price")], vec![price_text]);
        let mut children = vec![link, price_el];
        if rng.chance(0.3) {
            let badge_text = dom.text(*rng.pick(&["Nieuw", "-20%", "Bestseller", "Laatste stuks"]));
            children.push(dom.el("span", &[("class", "badge")], vec![badge_text]));
        }
        let button_text = dom.text("In winkelmand");
        let button = dom.el("button", &[("class", "btn btn--small"), ("type", "button")], vec![button_text]);
        let selector = format!("main .related article.card:nth-child({}) button.btn", i + 1);
        page.card_buttons.push(dom.region(&button, Rect { x: x + 10, y: y + 390, w: 290, h: 40 }, &selector));
        children.push(button);
        let card = dom.block("article", &[("class", "card")], children, 5);
        let selector = format!("main .related article.card:nth-child({})", i + 1);
        let card_id = dom.region(&card, Rect { x, y, w: 310, h: 440 }, &selector);
        page.cards.push((card_id, page.lazy.last().map_or(0, |l| l.0)));
        cards.push(card);
    }
    let related_title_text = dom.text("Anderen bekeken ook");
    let related_title = dom.el("h2", &[], vec![related_title_text]);
    let grid = dom.block("div", &[("class", "related__grid")], cards, 4);
    let related = dom.block("section", &[("class", "related")], vec![related_title, grid], 3);

    let main = dom.block(
        "main",
        &[("id", "main"), ("class", "page page--product")],
        vec![breadcrumb, gallery, buy, description, reviews, related],
        2,
    );
    let footer_el = footer(dom, rng, 4560);

    // The cart drawer and toast host: empty and hidden until used.
    let drawer_title_text = dom.text("Je winkelmand");
    let drawer_title = dom.el("h2", &[], vec![drawer_title_text]);
    let drawer_list = dom.el("ul", &[("class", "drawer__list")], vec![]);
    let close_text = dom.text("Sluiten");
    let close = dom.el("button", &[("class", "drawer__close"), ("aria-label", "Sluiten")], vec![close_text]);
    let checkout_text = dom.text("Afrekenen");
    let checkout = dom.el(
        "a",
        &[("class", "btn btn--primary drawer__checkout"), ("href", "/checkout")],
        vec![checkout_text],
    );
    let drawer = dom.block(
        "aside",
        &[("class", "drawer"), ("aria-hidden", "true")],
        vec![drawer_title, close.clone(), drawer_list.clone(), checkout.clone()],
        2,
    );
    page.drawer = id_of(&drawer);
    page.drawer_list = id_of(&drawer_list);
    page.drawer_close = id_of(&close);
    page.drawer_checkout = id_of(&checkout);
    let toast_host = dom.el("div", &[("class", "toast-host"), ("aria-live", "polite")], vec![]);
    page.toast_host = id_of(&toast_host);

    let body = dom.block(
        "body",
        &[("class", "template-product")],
        vec![header_el.clone(), main, footer_el.clone(), drawer, toast_host],
        1,
    );
    page.body = id_of(&body);
    let html = dom.block("html", &[("lang", "nl")], vec![head_el.clone(), body], 0);
    let doctype = json!({"type": 1, "name": "html", "publicId": "", "systemId": "", "id": dom.next()});
    let mut document = json!({"type": 0, "childNodes": [doctype, html], "id": dom.next()});

    // rrweb numbers the document 1 and then walks down.
    let mut map = HashMap::new();
    let mut next = 0;
    renumber(&mut document, &mut next, &mut map);
    let fix = |id: &mut i64| *id = map.get(id).copied().unwrap_or(*id);
    page.regions = dom.regions.drain(..).collect();
    for region in &mut page.regions {
        fix(&mut region.id);
    }
    for id in [
        &mut page.cart_count_text,
        &mut page.cart_link,
        &mut page.track,
        &mut page.colour_text,
        &mut page.size_select,
        &mut page.add_button,
        &mut page.viewers_text,
        &mut page.drawer,
        &mut page.drawer_list,
        &mut page.drawer_close,
        &mut page.drawer_checkout,
        &mut page.toast_host,
        &mut page.body,
    ] {
        fix(id);
    }
    for list in [
        &mut page.nav_items,
        &mut page.mega_menus,
        &mut page.slides,
        &mut page.slide_imgs,
        &mut page.dots,
        &mut page.thumbs,
        &mut page.swatches,
        &mut page.card_buttons,
        &mut page.dead_targets,
    ] {
        list.iter_mut().for_each(fix);
    }
    for pair in page.accordions.iter_mut().chain(page.reviews_more.iter_mut()).chain(page.cards.iter_mut()) {
        fix(&mut pair.0);
        fix(&mut pair.1);
    }
    for lazy in &mut page.lazy {
        fix(&mut lazy.0);
    }
    page.title_text = map.get(&id_of(&title_text)).copied().unwrap_or(0);
    // Keep the renumbered head, header and footer: the checkout's snapshot
    // serializes the same nodes with the same ids (rrweb's mirror keeps them).
    let html = &document["childNodes"][1];
    page.head = html["childNodes"][1].clone();
    let body = &html["childNodes"][3];
    page.header = body["childNodes"][1].clone();
    page.footer = body["childNodes"][5].clone();
    page.nodes = count_nodes(&document);
    page.next_id = next;
    page.snapshot = document;
    page
}

/// Ids the checkout's behaviour needs after renumbering.
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckoutPage {
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) doc_h: i64,
    pub(crate) snapshot: Value,
    pub(crate) nodes: usize,
    pub(crate) next_id: i64,
    pub(crate) regions: Vec<Region>,
    pub(crate) body: i64,
    pub(crate) cart_count_text: i64,
    pub(crate) fields: Vec<Field>,
    pub(crate) delivery: Vec<i64>,
    pub(crate) payment: Vec<i64>,
    pub(crate) bank_select: i64,
    pub(crate) terms: i64,
    pub(crate) submit: i64,
    pub(crate) shipping_text: i64,
    pub(crate) total_text: i64,
    pub(crate) timer_text: i64,
    pub(crate) address_lookup: i64,
    pub(crate) discount_input: i64,
    pub(crate) discount_apply: i64,
    pub(crate) summary_list: i64,
    pub(crate) errors: Vec<i64>,
    pub(crate) qty_buttons: Vec<(i64, i64)>,
}

/// A text field of the checkout form and what a visitor types into it.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) id: i64,
    pub(crate) length: (i64, i64),
    pub(crate) filled_by_lookup: bool,
}

pub(crate) fn checkout_page(rng: &mut Rng, product: &ProductPage, first_free_id: i64) -> CheckoutPage {
    let mut dom = Dom::default();
    let mut page = CheckoutPage {
        url: format!("{ORIGIN}/checkout"),
        title: "Afrekenen – Noorderlicht Outdoor".to_owned(),
        doc_h: 2300,
        cart_count_text: product.cart_count_text,
        body: product.body,
        ..Default::default()
    };
    let steps: Vec<Value> = ["Winkelmand", "Gegevens", "Betalen", "Bevestiging"]
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let text = dom.text(*step);
            let class = if i == 1 { "stepper__step is-current" } else { "stepper__step" };
            dom.el("li", &[("class", class)], vec![text])
        })
        .collect();
    let stepper = dom.block("ol", &[("class", "stepper")], steps, 3);

    let fields = [
        ("email", "E-mailadres", "email", "email", (16, 30), false),
        ("phone", "Telefoonnummer", "tel", "tel", (10, 12), false),
        ("given-name", "Voornaam", "text", "given-name", (3, 9), false),
        ("family-name", "Achternaam", "text", "family-name", (4, 14), false),
        ("postcode", "Postcode", "text", "postal-code", (6, 7), false),
        ("house-number", "Huisnummer", "text", "address-line2", (1, 3), false),
        ("street", "Straat", "text", "address-line1", (8, 18), true),
        ("city", "Plaats", "text", "address-level2", (5, 12), true),
    ];
    let mut groups = Vec::new();
    for (i, (name, label, kind, autocomplete, length, lookup)) in fields.iter().enumerate() {
        let label_text = dom.text(*label);
        let label_el = dom.el("label", &[("for", name)], vec![label_text]);
        let input = dom.el(
            "input",
            &[
                ("id", name),
                ("name", name),
                ("type", kind),
                ("autocomplete", autocomplete),
                ("required", ""),
                ("value", ""),
            ],
            vec![],
        );
        let y = 260 + i as i64 * 84;
        let selector = format!("form#checkout input#{name}");
        let id = dom.region(&input, Rect { x: 80, y, w: 760, h: 44 }, &selector);
        page.fields.push(Field { id, length: *length, filled_by_lookup: *lookup });
        let error = dom.el("p", &[("class", "field__error"), ("hidden", "")], vec![]);
        page.errors.push(id_of(&error));
        groups.push(dom.block("div", &[("class", "field")], vec![label_el, input, error], 5));
    }
    let lookup = dom.el("span", &[("class", "address-lookup"), ("aria-busy", "false")], vec![]);
    page.address_lookup = id_of(&lookup);
    groups.push(lookup);
    let mut countries = Vec::new();
    for (code, country) in [("NL", "Nederland"), ("BE", "België"), ("DE", "Duitsland"), ("LU", "Luxemburg")]
    {
        let text = dom.text(country);
        countries.push(dom.el("option", &[("value", code)], vec![text]));
    }
    let country = dom.block("select", &[("name", "country"), ("autocomplete", "country")], countries, 5);
    groups.push(country);
    let address = dom.block("fieldset", &[("class", "checkout__address")], groups, 4);

    let mut delivery = Vec::new();
    for (i, (option, cost)) in [
        ("Morgen bezorgd", "Gratis"),
        ("Avondlevering 18–22 uur", "€ 3,95"),
        ("Ophalen bij een afhaalpunt", "Gratis"),
    ]
    .iter()
    .enumerate()
    {
        let radio =
            dom.el("input", &[("type", "radio"), ("name", "delivery"), ("value", &i.to_string())], vec![]);
        let selector = format!("form#checkout .delivery label:nth-child({}) > input", i + 1);
        page.delivery.push(dom.region(
            &radio,
            Rect { x: 80, y: 1010 + i as i64 * 56, w: 760, h: 48 },
            &selector,
        ));
        let text = dom.text(format!("{option} · {cost}"));
        delivery.push(dom.el("label", &[("class", "radio")], vec![radio, text]));
    }
    let delivery = dom.block("fieldset", &[("class", "delivery")], delivery, 4);
    let mut payment = Vec::new();
    for (i, method) in ["iDEAL", "Creditcard", "PayPal", "Klarna – achteraf betalen"].iter().enumerate() {
        let radio =
            dom.el("input", &[("type", "radio"), ("name", "payment"), ("value", &slug(method))], vec![]);
        let selector = format!("form#checkout .payment label:nth-child({}) > input", i + 1);
        page.payment.push(dom.region(
            &radio,
            Rect { x: 80, y: 1230 + i as i64 * 56, w: 760, h: 48 },
            &selector,
        ));
        let text = dom.text(*method);
        let logo =
            dom.el("img", &[("src", &format!("/static/img/pay/{}.svg", slug(method))), ("alt", "")], vec![]);
        payment.push(dom.el("label", &[("class", "radio")], vec![radio, logo, text]));
    }
    let mut banks = Vec::new();
    for bank in [
        "Kies je bank",
        "ABN AMRO",
        "ASN Bank",
        "bunq",
        "ING",
        "Knab",
        "Rabobank",
        "RegioBank",
        "SNS",
        "Triodos Bank",
        "Van Lanschot",
    ] {
        let text = dom.text(bank);
        banks.push(dom.el("option", &[("value", &slug(bank))], vec![text]));
    }
    let bank = dom.block("select", &[("name", "issuer"), ("class", "issuer")], banks, 5);
    page.bank_select =
        dom.region(&bank, Rect { x: 120, y: 1460, w: 400, h: 44 }, "form#checkout select.issuer");
    payment.push(bank);
    let payment = dom.block("fieldset", &[("class", "payment")], payment, 4);
    let terms = dom.el("input", &[("type", "checkbox"), ("name", "terms"), ("id", "terms")], vec![]);
    page.terms = dom.region(&terms, Rect { x: 80, y: 1540, w: 24, h: 24 }, "form#checkout input#terms");
    let terms_text = dom.text("Ik ga akkoord met de algemene voorwaarden en het privacybeleid");
    let terms = dom.el("label", &[("class", "checkbox")], vec![terms, terms_text]);
    let submit_text = dom.text("Bestelling plaatsen");
    let submit =
        dom.el("button", &[("type", "submit"), ("class", "btn btn--primary btn--large")], vec![submit_text]);
    page.submit =
        dom.region(&submit, Rect { x: 80, y: 1600, w: 760, h: 60 }, "form#checkout button[type=submit]");
    let form = dom.block(
        "form",
        &[("id", "checkout"), ("novalidate", "")],
        vec![address, delivery, payment, terms, submit],
        3,
    );
    dom.region(&form, Rect { x: 60, y: 220, w: 800, h: 1480 }, "form#checkout");

    // Order summary.
    let mut items = Vec::new();
    let (src, _) = image(rng, &slug(&product.name), 1);
    let thumb = src.replace("w=800", "w=120");
    let img = dom.el("img", &[("src", &thumb), ("alt", "")], vec![]);
    let name_text = dom.text(product.name.clone());
    let name = dom.el("p", &[("class", "cart-item__name")], vec![name_text]);
    let minus_text = dom.text("−");
    let minus = dom.el("button", &[("class", "qty__btn"), ("aria-label", "Minder")], vec![minus_text]);
    let qty_text = dom.text("1");
    let qty = dom.el("span", &[("class", "qty__value")], vec![qty_text.clone()]);
    let plus_text = dom.text("+");
    let plus = dom.el("button", &[("class", "qty__btn"), ("aria-label", "Meer")], vec![plus_text]);
    let plus_id =
        dom.region(&plus, Rect { x: 1200, y: 300, w: 32, h: 32 }, "aside.summary .qty__btn[aria-label=Meer]");
    dom.region(&minus, Rect { x: 1110, y: 300, w: 32, h: 32 }, "aside.summary .qty__btn[aria-label=Minder]");
    page.qty_buttons.push((plus_id, id_of(&qty_text)));
    let line_text = dom.text(price(product.price_cents));
    let line = dom.el("span", &[("class", "price")], vec![line_text]);
    let qty_box = dom.el("div", &[("class", "qty")], vec![minus, qty, plus]);
    items.push(dom.block("li", &[("class", "cart-item")], vec![img, name, qty_box, line], 5));
    let list = dom.block("ul", &[("class", "summary__list")], items, 4);
    page.summary_list = id_of(&list);
    let mut rows = Vec::new();
    for (label, value) in [
        ("Subtotaal", price(product.price_cents)),
        ("Verzending", "Gratis".to_owned()),
        ("Totaal", price(product.price_cents)),
    ] {
        let dt_text = dom.text(label);
        let dd_text = dom.text(value);
        if label == "Verzending" {
            page.shipping_text = id_of(&dd_text);
        }
        if label == "Totaal" {
            page.total_text = id_of(&dd_text);
        }
        let dt = dom.el("dt", &[], vec![dt_text]);
        let dd = dom.el("dd", &[], vec![dd_text]);
        rows.push(dt);
        rows.push(dd);
    }
    let totals = dom.block("dl", &[("class", "summary__totals")], rows, 4);
    let code =
        dom.el("input", &[("name", "discount"), ("placeholder", "Kortingscode"), ("value", "")], vec![]);
    page.discount_input =
        dom.region(&code, Rect { x: 940, y: 520, w: 280, h: 44 }, "aside.summary input[name=discount]");
    let apply_text = dom.text("Toepassen");
    let apply = dom.el("button", &[("type", "button"), ("class", "btn btn--secondary")], vec![apply_text]);
    page.discount_apply =
        dom.region(&apply, Rect { x: 1230, y: 520, w: 130, h: 44 }, "aside.summary button.btn--secondary");
    let timer = dom.text("Je winkelmand is nog 15 minuten gereserveerd");
    page.timer_text = id_of(&timer);
    let timer = dom.el("p", &[("class", "summary__timer")], vec![timer]);
    let summary = dom.block("aside", &[("class", "summary")], vec![list, totals, code, apply, timer], 3);
    dom.region(&summary, Rect { x: 920, y: 220, w: 460, h: 500 }, "aside.summary");

    let h1_text = dom.text("Afrekenen");
    let h1 = dom.el("h1", &[], vec![h1_text]);
    let main = dom.block(
        "main",
        &[("id", "main"), ("class", "page page--checkout")],
        vec![h1, stepper, form, summary],
        2,
    );

    // Head, header and footer are the product page's nodes (same ids);
    // the title text changed in place.
    let mut head_el = product.head.clone();
    if let Some(title) = find_mut(&mut head_el, product.title_text) {
        title["textContent"] = json!(page.title);
    }
    let toast_host = dom.el("div", &[("class", "toast-host"), ("aria-live", "polite")], vec![]);
    let mut body = dom.block(
        "body",
        &[("class", "template-checkout")],
        vec![product.header.clone(), main, product.footer.clone(), toast_host],
        1,
    );
    body["id"] = json!(product.body);
    let mut html = dom.block("html", &[("lang", "nl")], vec![head_el, body], 0);
    html["id"] = json!(product.snapshot["childNodes"][1]["id"]);
    let mut document =
        json!({"type": 0, "childNodes": [product.snapshot["childNodes"][0].clone(), html], "id": 1});

    let mut map = HashMap::new();
    let mut next = first_free_id;
    renumber(&mut document, &mut next, &mut map);
    let fix = |id: &mut i64| *id = map.get(id).copied().unwrap_or(*id);
    // Header and footer regions carry over from the product page.
    page.regions = product
        .regions
        .iter()
        .filter(|r| r.fixed || r.rect.y >= 4560)
        .cloned()
        .map(|mut r| {
            if !r.fixed {
                r.rect.y = r.rect.y - 4560 + 1720;
            }
            r
        })
        .collect();
    let mut own: Vec<Region> = dom.regions.drain(..).collect();
    for region in &mut own {
        fix(&mut region.id);
    }
    page.regions.extend(own);
    for field in &mut page.fields {
        fix(&mut field.id);
    }
    for list in [&mut page.delivery, &mut page.payment, &mut page.errors] {
        list.iter_mut().for_each(fix);
    }
    for id in [
        &mut page.bank_select,
        &mut page.terms,
        &mut page.submit,
        &mut page.shipping_text,
        &mut page.total_text,
        &mut page.timer_text,
        &mut page.address_lookup,
        &mut page.discount_input,
        &mut page.discount_apply,
        &mut page.summary_list,
    ] {
        fix(id);
    }
    for pair in &mut page.qty_buttons {
        fix(&mut pair.0);
        fix(&mut pair.1);
    }
    page.nodes = count_nodes(&document);
    page.next_id = next;
    page.snapshot = document;
    page
}
