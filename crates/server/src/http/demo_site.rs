//! The demo shop (`server.demo_site`): a few realistic pages (landing,
//! product list, product, a contact form and a checkout with personal
//! fields) with the recorder loaded behind a consent banner, served on the
//! site's own origin so a first run has something to record, and the
//! pages `veil demo`'s visits are of. Without the setting `/` leads to
//! the console and these paths answer 404.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;

/// A product of the demo catalogue.
pub struct Product {
    /// Path segment under `/products/`.
    pub slug: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Price in euro cents.
    pub price_cents: u32,
    /// One line for the cards and the product page.
    pub blurb: &'static str,
}

/// The catalogue: the pages the demo serves and `veil demo`'s product
/// pages land on.
pub const CATALOGUE: [Product; 6] = [
    Product {
        slug: "trail-jacket",
        name: "Trail Jacket",
        price_cents: 18995,
        blurb: "Windproof, light, packs into its own pocket.",
    },
    Product {
        slug: "down-parka",
        name: "Down Parka",
        price_cents: 32900,
        blurb: "750-fill down for the coldest mornings.",
    },
    Product {
        slug: "rain-shell",
        name: "Rain Shell",
        price_cents: 14950,
        blurb: "Three-layer membrane, taped seams, pit zips.",
    },
    Product {
        slug: "fleece-hoodie",
        name: "Fleece Hoodie",
        price_cents: 7995,
        blurb: "Recycled grid fleece that dries in an hour.",
    },
    Product {
        slug: "hiking-boots",
        name: "Hiking Boots",
        price_cents: 21900,
        blurb: "Nubuck uppers, grippy soles, broken in on day one.",
    },
    Product {
        slug: "merino-base-layer",
        name: "Merino Base Layer",
        price_cents: 6950,
        blurb: "Soft 200 g merino that does not itch or smell.",
    },
];

const STYLE: &str = include_str!("demo_site/site.css");
const SCRIPT: &str = include_str!("demo_site/site.js");

/// Scripts from this server only; the recorder posts to it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Mounts the demo's routes (each answers 404 while the demo is off).
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(get_resource("/", landing))
        .service(get_resource("/products", products))
        .service(get_resource("/products/{slug}", product))
        .service(get_resource("/contact", contact))
        .service(get_resource("/checkout", checkout))
        .service(get_resource("/demo/site.css", style))
        .service(get_resource("/demo/site.js", script));
}

/// A path of the shop: GET by `handler`, other methods by [`other_method`].
fn get_resource<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path).route(web::get().to(handler)).default_service(web::to(other_method))
}

/// Another method than GET: 405 while the demo is on (the pages exist),
/// 404 while it is off (they do not).
async fn other_method(state: web::Data<AppState>) -> HttpResponse {
    match demo_site(&state) {
        Some(_) => super::method_not_allowed("GET"),
        None => not_found(),
    }
}

/// The demo site's id, when the demo is on.
fn demo_site(state: &AppState) -> Option<&str> {
    state.config.server.demo_site.as_deref()
}

fn not_found() -> HttpResponse {
    actix_web::ResponseError::error_response(&super::ApiError::not_found("no such endpoint"))
}

async fn landing(state: web::Data<AppState>) -> HttpResponse {
    let Some(site) = demo_site(&state) else {
        // Without the demo, `/` is where people type the address of the
        // console.
        return HttpResponse::Found().insert_header((header::LOCATION, "/console/")).finish();
    };
    let cards: String = CATALOGUE.iter().take(3).map(card).collect();
    page(
        site,
        "Noorderlicht Outdoor – gear for wet and windy days",
        &format!(
            r#"<section class="hero">
  <h1>Gear for wet and windy days</h1>
  <p>Jackets, boots and layers tested on the North Sea coast. Free returns within 30 days.</p>
  <a class="button" id="shop-now" href="/products">Shop the collection</a>
</section>
<section><h2>Bestsellers</h2><div class="grid">{cards}</div></section>
<section class="usp">
  <div><h3>Free delivery</h3><p>On every order over €50, in one or two working days.</p></div>
  <div><h3>Repair service</h3><p>We mend zips, seams and soles for as long as you own the gear.</p></div>
  <div><h3>Questions?</h3><p><a href="/contact">Write to us</a>: a person answers within a day.</p></div>
</section>"#
        ),
    )
}

async fn products(state: web::Data<AppState>) -> HttpResponse {
    let Some(site) = demo_site(&state) else { return not_found() };
    let cards: String = CATALOGUE.iter().map(card).collect();
    page(
        site,
        "All products – Noorderlicht Outdoor",
        &format!(
            r#"<h1>All products</h1>
<div class="filters"><button type="button" class="chip chip--on">All</button><button type="button" class="chip">Jackets</button><button type="button" class="chip">Footwear</button><button type="button" class="chip">Layers</button></div>
<div class="grid">{cards}</div>"#
        ),
    )
}

async fn product(state: web::Data<AppState>, slug: web::Path<String>) -> HttpResponse {
    let Some(site) = demo_site(&state) else { return not_found() };
    let Some(item) = CATALOGUE.iter().find(|p| p.slug == slug.as_str()) else { return not_found() };
    let others: String = CATALOGUE.iter().filter(|p| p.slug != item.slug).take(3).map(card).collect();
    page(
        site,
        &format!("{} – Noorderlicht Outdoor", item.name),
        &format!(
            r#"<nav class="crumbs"><a href="/">Home</a> / <a href="/products">Products</a> / {name}</nav>
<section class="product">
  <div class="product__image" aria-hidden="true"><span>{initial}</span></div>
  <div class="product__info">
    <h1>{name}</h1>
    <p class="price">{price}</p>
    <p>{blurb}</p>
    <label for="size">Size</label>
    <select id="size" name="size"><option>S</option><option selected>M</option><option>L</option><option>XL</option></select>
    <div class="swatches"><button type="button" class="swatch swatch--navy" aria-label="Navy"></button><button type="button" class="swatch swatch--moss" aria-label="Moss"></button><button type="button" class="swatch swatch--rust" aria-label="Rust"></button></div>
    <a class="button" id="add-to-cart" href="/checkout?product={slug}">Add to cart</a>
    <details><summary>Materials and care</summary><p>Wash at 30 °C, no softener, tumble dry low to renew the water repellency.</p></details>
    <details><summary>Delivery and returns</summary><p>Delivered in one or two working days; return it within 30 days for free.</p></details>
  </div>
</section>
<section><h2>Reviews</h2>
  <blockquote>“Kept me dry on a three-day hike in Scotland.” – Maaike</blockquote>
  <blockquote>“Fits true to size, the hood stays put in the wind.” – Tom</blockquote>
</section>
<section><h2>You may also like</h2><div class="grid">{others}</div></section>"#,
            name = item.name,
            initial = &item.name[..1],
            price = euros(item.price_cents),
            blurb = item.blurb,
            slug = item.slug,
        ),
    )
}

async fn contact(state: web::Data<AppState>) -> HttpResponse {
    let Some(site) = demo_site(&state) else { return not_found() };
    page(
        site,
        "Contact – Noorderlicht Outdoor",
        r#"<h1>Contact us</h1>
<p>Personal fields below are masked by the recorder and again by the server: type anything, it never reaches a replay.</p>
<form class="form" id="contact-form" data-done="Thanks! We will answer within a day.">
  <label for="contact-name">Name</label><input id="contact-name" name="name" autocomplete="name" required>
  <label for="contact-email">E-mail</label><input id="contact-email" name="email" type="email" autocomplete="email" required>
  <label for="contact-phone">Phone</label><input id="contact-phone" name="phone" type="tel" autocomplete="tel">
  <label for="contact-order">Order number</label><input id="contact-order" name="order" placeholder="ORD-12345678">
  <label for="contact-message">Message</label><textarea id="contact-message" name="message" rows="5" required></textarea>
  <button class="button" type="submit" id="contact-send">Send</button>
</form>"#,
    )
}

async fn checkout(state: web::Data<AppState>) -> HttpResponse {
    let Some(site) = demo_site(&state) else { return not_found() };
    page(
        site,
        "Checkout – Noorderlicht Outdoor",
        r#"<h1>Checkout</h1>
<form class="form form--wide" id="checkout-form" data-done="Thank you! Your order is placed (this is a demo: nothing is charged).">
  <fieldset><legend>Contact</legend>
    <label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="email" required>
    <label for="phone">Phone</label><input id="phone" name="phone" type="tel" autocomplete="tel">
  </fieldset>
  <fieldset><legend>Delivery address</legend>
    <label for="full-name">Full name</label><input id="full-name" name="name" autocomplete="name" required>
    <label for="street">Street and number</label><input id="street" name="street" autocomplete="street-address" required>
    <label for="postcode">Postcode</label><input id="postcode" name="postcode" autocomplete="postal-code" required>
    <label for="city">City</label><input id="city" name="city" autocomplete="address-level2" required>
  </fieldset>
  <fieldset><legend>Payment</legend>
    <label for="card">Card number</label><input id="card" name="card" autocomplete="cc-number" inputmode="numeric" required>
    <label for="expiry">Expiry</label><input id="expiry" name="expiry" autocomplete="cc-exp" placeholder="MM/YY" required>
    <label for="cvc">CVC</label><input id="cvc" name="cvc" autocomplete="cc-csc" inputmode="numeric" required>
  </fieldset>
  <fieldset><legend>Create an account (optional)</legend>
    <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="new-password">
  </fieldset>
  <p class="secret">Loyalty number: NL-4411-9920 (a <code>.secret</code> element: blocked, never recorded)</p>
  <button class="button" type="submit" id="place-order">Place order</button>
</form>"#,
    )
}

async fn style(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if demo_site(&state).is_none() {
        return not_found();
    }
    super::embedded::respond(&request, STYLE.as_bytes(), "text/css; charset=utf-8", &[])
}

async fn script(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if demo_site(&state).is_none() {
        return not_found();
    }
    super::embedded::respond(&request, SCRIPT.as_bytes(), "text/javascript; charset=utf-8", &[])
}

/// A whole page: header, the consent banner, `body`, footer; the site id
/// travels in a data attribute so the script stays one static file.
fn page(site: &str, title: &str, body: &str) -> HttpResponse {
    let site = escape(site);
    let html = format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/demo/site.css">
<script src="/sdk/veil.min.js"></script>
<script src="/demo/site.js" data-site="{site}" defer></script>
</head>
<body>
<header class="header">
  <a class="logo" href="/">Noorderlicht<span>Outdoor</span></a>
  <nav class="menu"><a href="/products">Products</a><a href="/contact">Contact</a><a id="cart" href="/checkout">Cart</a></nav>
</header>
<main>
{body}
</main>
<footer class="footer">
  <p>Noorderlicht Outdoor is Veil's demo shop: nothing here is for sale. Recorded with Veil, only after you agree.</p>
  <p><a href="/console/">Open the Veil console</a> · <a href="#" id="consent-settings">Recording settings</a></p>
</footer>
<div class="banner" id="consent-banner" hidden>
  <p><strong>May we record this visit?</strong> Veil records clicks, scrolling and the page (every form field masked) to improve the shop. Nothing is recorded until you agree.</p>
  <button class="button" type="button" id="consent-accept">Accept</button>
  <button class="button button--quiet" type="button" id="consent-decline">Decline</button>
</div>
</body>
</html>
"##,
        title = escape(title),
    );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(html)
}

fn card(product: &Product) -> String {
    format!(
        r#"<a class="card" href="/products/{slug}"><div class="card__image" aria-hidden="true">{initial}</div><h3>{name}</h3><p>{blurb}</p><p class="price">{price}</p></a>"#,
        slug = product.slug,
        initial = &product.name[..1],
        name = product.name,
        blurb = product.blurb,
        price = euros(product.price_cents),
    )
}

fn euros(cents: u32) -> String {
    format!("€{},{:02}", cents / 100, cents % 100)
}

/// The site id comes from the configuration; escaped all the same.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_as_euros() {
        assert_eq!(euros(18995), "€189,95");
        assert_eq!(euros(7005), "€70,05");
    }

    #[test]
    fn the_site_id_cannot_break_out_of_its_attribute() {
        assert_eq!(escape(r#"a"><script>"#), "a&quot;&gt;&lt;script&gt;");
    }

    #[test]
    fn catalogue_slugs_are_unique_path_segments() {
        let mut slugs: Vec<&str> = CATALOGUE.iter().map(|p| p.slug).collect();
        assert!(slugs.iter().all(|s| s.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), CATALOGUE.len());
    }
}
