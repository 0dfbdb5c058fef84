//! Case tables per detector, in the style of Relay's `assert_text_rule!`:
//! one line per case, input and expected output; an unchanged output
//! means "must not fire".

use crate::{MaskingRules, mask_text};

#[path = "opt_in_tests.rs"]
mod opt_in;

/// Runs `(input, output)` cases against the default rules; every changed
/// case must be counted under `rule`, every unchanged one under no rule.
fn table(rule: &str, cases: &[(&str, &str)]) {
    table_with(&MaskingRules::default(), rule, cases);
}

/// [`table`] against the given rules.
pub(super) fn table_with(rules: &MaskingRules, rule: &str, cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (input, want) in cases {
        let (got, report) = mask_text(input, rules);
        let counted = report.count(rule) > 0;
        if got != *want || counted != (input != want) || (input == want && !report.is_empty()) {
            failures.push(format!("{input:?}\n    want {want:?}\n    got  {got:?} {report:?}"));
        }
    }
    assert!(failures.is_empty(), "@{rule}: {} failures\n{}", failures.len(), failures.join("\n"));
}

macro_rules! assert_text_rule {
    (rule = $rule:expr; $($input:expr => $output:expr;)*) => {
        table($rule, &[$(($input, $output)),*])
    };
}

#[test]
fn birth_date() {
    assert_text_rule! {
        rule = "birth_date";
        "Geboortedatum: 12-03-1985" => "Geboortedatum: **-**-****";
        "geb. 12 maart 1985 te Utrecht" => "geb. ** ***** **** te Utrecht";
        "Date of birth 03/12/1985" => "Date of birth **/**/****";
        "DOB: 1985-03-12" => "DOB: ****-**-**";
        "Geburtsdatum: 12.03.1985" => "Geburtsdatum: **.**.****";
        "born on March 12, 1985" => "born on ***** **, ****";
        "née le 12 mars 1985" => "née le ** **** ****";
        "Birthday 31.12.85" => "Birthday **.**.**";
        "Geboortedatum: 45-03-1985" => "Geboortedatum: 45-03-1985";
        "geb. 12 foo 1985" => "geb. 12 foo 1985";
        "Levering op 12-03-2026" => "Levering op 12-03-2026";
        "Born to run, 1975" => "Born to run, 1975";
        "Besteld op 2026-03-12 om 10:00" => "Besteld op 2026-03-12 om 10:00";
    }
}

#[test]
fn email() {
    assert_text_rule! {
        rule = "email";
        "before jane@example.com after" => "before ****@*******.*** after";
        "mailto:j.de.vries@ziggo.nl" => "mailto:*.**.*****@*****.**";
        "jürgen@müller.de" => "******@******.**";
        "/u/jane%40example.com/" => "/u/****%*********.***/";
        "Zie logo@2x.png" => "Zie logo@2x.png";
        "@media print" => "@media print";
        "user@localhost" => "user@localhost";
        "npm i @babel/core@7.23.5" => "npm i @babel/core@7.23.5";
        "a@b.co." => "*@*.**.";
        "mail jan at example dot nl!" => "mail *** ** ******* *** **!";
        "jan[at]example.nl" => "***[**]*******.**";
        "Jan (AT) Example [DOT] nl" => "*** (**) ******* [***] **";
        "jan @ example.nl" => "*** @ *******.**";
        "Meet me at the station. See you" => "Meet me at the station. See you";
        "look at example.nl for details" => "look at example.nl for details";
        "we are at home dot" => "we are at home dot";
    }
}

#[test]
fn phone() {
    assert_text_rule! {
        rule = "phone";
        "Bel 06-12345678 nu" => "Bel **-******** nu";
        "06.12.34.56.78" => "**.**.**.**.**";
        "06\u{2013}12345678" => "**\u{2013}********";
        "(+31) 6 12345678" => "(+**) * ********";
        "06/12345678" => "**/********";
        "06 - 12345678" => "** - ********";
        "tel 02 123 45 67" => "tel ** *** ** **";
        "mob. 0151 12345678" => "mob. **** ********";
        "Phone: 020 7946 0958" => "Phone: *** **** ****";
        "(415) 555-0132" => "(***) ***-****";
        "call 415.555.0132." => "call ***.***.****.";
        "Afspraak 06.12.2026 10:00" => "Afspraak 06.12.2026 10:00";
        "Zending 6597 0082 8203 1940" => "Zending 6597 0082 8203 1940";
        "ES18 0280 7202 8310 8054 1403" => "ES18 0280 7202 8310 8054 1403";
        "123-456-7890" => "123-456-7890";
        "06.12.2026" => "06.12.2026";
        "+31 6 1234 5678" => "+** * **** ****";
        "+31 (0)6 1234 5678" => "+** (*)* **** ****";
        "(020) 123 4567" => "(***) *** ****";
        "020-1234567" => "***-*******";
        "tel:0591-123456" => "tel:****-******";
        "0900-1234567" => "0900-1234567";
        "tel:+7 495 123-45-67" => "tel:+* *** ***-**-**";
        "+1 (415) 555-0132" => "+* (***) ***-****";
        "+39 06 1234 5678" => "+** ** **** ****";
        "2026 06-12345678" => "2026 **-********";
        "+1 055 123 4567" => "+1 055 123 4567";
        "06-11-2026 10:00" => "06-11-2026 10:00";
        "ORD-0612345678" => "ORD-0612345678";
        "Bestelnummer 0612345678" => "Bestelnummer 0612345678";
        "+300 000 000" => "+300 000 000";
        "v1.0.0+20130313144700" => "v1.0.0+20130313144700";
        "12:30:45" => "12:30:45";
        "52.3676, 4.9041" => "52.3676, 4.9041";
        "06-1234567" => "06-1234567";
    }
}

#[test]
fn card() {
    assert_text_rule! {
        rule = "card";
        "4111 1111 1111 1111" => "**** **** **** ****";
        "4111-1111-1111-1111" => "****-****-****-****";
        "pan=4242424242424242&x" => "pan=****************&x";
        "3782 822463 10005" => "**** ****** *****";
        "Bestelling 2026 4111 1111 1111 1111 ok" => "Bestelling 2026 **** **** **** **** ok";
        "Kaartnummer: 5555 5555 5555 4444" => "Kaartnummer: **** **** **** ****";
        "4111 1111 1111 1112" => "4111 1111 1111 1112";
        "1795514400000" => "1795514400000";
        "EAN 4006381333931" => "EAN 4006381333931";
        "4111111111111111.50" => "4111111111111111.50";
        "4111.1111.1111.1111" => "****.****.****.****";
        "Kaart 4111 1111 1111 1111." => "Kaart **** **** **** ****.";
        "4.111.111.111.111.111" => "4.111.111.111.111.111";
        "4111.1111.1111.1111.50" => "4111.1111.1111.1111.50";
        "x4111111111111111" => "x4111111111111111";
        "12345678901234567890" => "12345678901234567890";
    }
}

#[test]
fn iban() {
    assert_text_rule! {
        rule = "iban";
        "IBAN NL91ABNA0417164300." => "IBAN ******************.";
        "NL91 ABNA 0417 1643 00 t.n.v. X" => "**** **** **** **** ** t.n.v. X";
        "nl91abna0417164300" => "******************";
        "nl91-abna-0417-1643-00" => "****-****-****-****-**";
        "NL91  ABNA  0417  1643  00" => "****  ****  ****  ****  **";
        "NL91---ABNA0417164300" => "NL91---ABNA0417164300";
        "DE89 3704 0044 0532 0130 00" => "**** **** **** **** **** **";
        "NL92ABNA0417164300" => "NL92ABNA0417164300";
        "NL91ABNA0417164300X" => "NL91ABNA0417164300X";
        "XNL91ABNA0417164300" => "XNL91ABNA0417164300";
        "US12345678901234567890" => "US12345678901234567890";
    }
}

#[test]
fn bsn() {
    assert_text_rule! {
        rule = "bsn";
        "BSN: 123456782" => "BSN: *********";
        "BSN 1234.56.782" => "BSN ****.**.***";
        "bsn 111.222.333" => "bsn ***.***.***";
        "bsn 111 222 333" => "bsn *** *** ***";
        "bsn 111.222 333" => "bsn 111.222 333";
        "111 222 333 inwoners" => "111 222 333 inwoners";
        "Patiënt 111222333 opgenomen" => "Patiënt ********* opgenomen";
        "123456782" => "*********";
        "123456783" => "123456783";
        "Order #123456782" => "Order #123456782";
        "Bestelnummer: 123456782" => "Bestelnummer: 123456782";
        "€ 123456782" => "€ 123456782";
        "123456782,00" => "123456782,00";
        "1234567820" => "1234567820";
        "Tel. 123456782" => "Tel. 123456782";
        "BSN-nummer: 123456782" => "BSN-nummer: *********";
        "order_id=123456782" => "order_id=123456782";
    }
}

#[test]
fn ip() {
    assert_text_rule! {
        rule = "ip";
        "from 192.168.1.1 at" => "from ***.***.*.* at";
        "10.0.0.1:8080" => "**.*.*.*:8080";
        "2001:db8::1" => "****:***::*";
        "[fe80::1ff:fe23:4567:890a]:443" => "[****::***:****:****:****]:443";
        "::ffff:192.0.2.128" => "::****:***.*.*.***";
        "10.0.19045.2965" => "10.0.19045.2965";
        "v1.2.3.4" => "v1.2.3.4";
        "300.1.2.3" => "300.1.2.3";
        "01.02.03.04" => "01.02.03.04";
        "1.2.3.4.5" => "1.2.3.4.5";
        "12:30:45" => "12:30:45";
        "a::before" => "a::before";
        "std::vector" => "std::vector";
        "::1 and ::" => "::1 and ::";
    }
}

#[test]
fn jwt() {
    assert_text_rule! {
        rule = "jwt";
        "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz end" => "t=********************.***************.**************** end";
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiI0MiJ9." => "*******************.****************.";
        "eyJ is a prefix" => "eyJ is a prefix";
        "ab.cd.ef" => "ab.cd.ef";
    }
}

#[test]
fn secret() {
    assert_text_rule! {
        rule = "secret";
        "key sk_live_4eC39HqLyjWDarjtT1zdp7dc" => "key **_****_************************";
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789" => "***_************************************";
        "AKIAIOSFODNN7EXAMPLE" => "********************";
        "Authorization: Bearer 0a1b2c3d4e5f6g7h8i9j" => "Authorization: Bearer ********************";
        "token expired" => "token expired";
        "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" => "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC";
        "/static/main.3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c.js" => "/static/main.3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c.js";
        "f47ac10b-58cc-4372-a567-0e02b2c3d479" => "f47ac10b-58cc-4372-a567-0e02b2c3d479";
        "product-card__image-wrapper--large-2026" => "product-card__image-wrapper--large-2026";
        "getElementByIdAndUpdateTheStateOfTheComponent" => "getElementByIdAndUpdateTheStateOfTheComponent";
    }
}

#[test]
fn personal_query() {
    assert_text_rule! {
        rule = "personal_query";
        "/c?first_name=Jan&page=2" => "/c?first_name=***&page=2";
        "/go?u=https%3A%2F%2Fs.example%2F%3Fname%3DJan%26page%3D2" => "/go?u=https%3A%2F%2Fs.example%2F%3Fname%3D***%26page%3D2";
        "/c?page=2&userEmail=x" => "/c?page=2&userEmail=*";
        "#access_token=abc&token_type=Bearer" => "#access_token=***&token_type=******";
        "/a;jsessionid=B2F4E9A1" => "/a;jsessionid=********";
        "?utm_source=mail&q=jas" => "?utm_source=mail&q=jas";
        "?email=" => "?email=";
    }
}

#[test]
fn data_uris_are_not_scanned() {
    let rules = MaskingRules::default();
    let uri = "url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==) and jane@example.com";
    let (got, report) = mask_text(uri, &rules);
    assert!(got.starts_with("url(data:image/png;base64,iVBORw0KGgo"), "{got}");
    assert!(got.ends_with("and ****@*******.***"), "{got}");
    assert_eq!(report.total(), 1);
}

#[test]
fn site_patterns_join_the_scan() {
    let rules = MaskingRules::new(crate::SiteRules {
        patterns: vec![("order_id".into(), "ORD-[0-9]{8}".into())],
        ..Default::default()
    })
    .expect("valid rules");
    let (got, report) = mask_text("Order ORD-12345678 voor jane@example.com", &rules);
    assert_eq!(got, "Order ***-******** voor ****@*******.***");
    assert_eq!(report.count("order_id"), 1);
    assert_eq!(report.count("email"), 1);
}

#[test]
fn plain_strings_stay_borrowed() {
    let rules = MaskingRules::default();
    for text in ["Winterjas heren", "Maat 42, € 79,99", "Bekijk alle 1.234 resultaten"] {
        let (got, report) = mask_text(text, &rules);
        assert!(matches!(got, std::borrow::Cow::Borrowed(_)), "{text}");
        assert!(report.is_empty());
    }
}
