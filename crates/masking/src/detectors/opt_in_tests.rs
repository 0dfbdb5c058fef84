//! Case tables of the opt-in detectors, run with the detector turned on
//! (and, for the last table, off).

use super::table_with;
use crate::{MaskingRules, SiteRules, mask_text};

fn with(detector: &str) -> MaskingRules {
    MaskingRules::new(SiteRules { detectors: vec![detector.to_owned()], ..SiteRules::default() })
        .unwrap_or_else(|e| panic!("{detector}: {e}"))
}

#[test]
fn postcode() {
    table_with(
        &with("postcode"),
        "postcode",
        &[
            ("Bezorgadres: 1012 LG Amsterdam", "Bezorgadres: **** ** Amsterdam"),
            ("1012LG 12a", "****** ***"),
            ("postcode 1012 lg, huisnummer 7", "postcode **** **, huisnummer 7"),
            ("Postcode: 3511ab", "Postcode: ******"),
            ("1012 LG, 12-3", "**** **, **-*"),
            ("2019 en 2020", "2019 en 2020"),
            ("width: 1080px", "width: 1080px"),
            ("2500 MB opslag", "2500 MB opslag"),
            ("1012 SS", "1012 SS"),
            ("ORD-1012 LG", "ORD-1012 LG"),
            ("Artikel 1234 AB-serie", "Artikel 1234 AB-serie"),
        ],
    );
}

#[test]
fn licence_plate() {
    table_with(
        &with("licence_plate"),
        "licence_plate",
        &[
            ("Kenteken: GH-123-K", "Kenteken: **-***-*"),
            ("auto 12-KLR-3 en 1-KTB-23", "auto **-***-* en *-***-**"),
            ("XX-99-99 is oud", "**-**-** is oud"),
            ("99-XX-99", "**-**-**"),
            ("kenteken 3-TZB-42.", "kenteken *-***-**."),
            ("UK plate AB12 CDE", "UK plate **** ***"),
            ("Kennzeichen M-AB 1234", "Kennzeichen *-** ****"),
            ("SKU-GH-123-K", "SKU-GH-123-K"),
            ("GH-123-K-2", "GH-123-K-2"),
            ("12-AEI-3", "12-AEI-3"),
            ("ISO 2026-03-12", "ISO 2026-03-12"),
            ("maat M-32, EU-32-34", "maat M-32, EU-32-34"),
            ("size XL-32-34", "size XL-32-34"),
            ("Maat: ML-30-32", "Maat: ML-30-32"),
            // The cost of the rule: a size range in the shape of a side-code-1
            // plate (1951-1965, still on old-timers) without a size label is
            // masked.
            ("XL-32-34 op voorraad", "**-**-** op voorraad"),
        ],
    );
}

#[test]
fn labelled_name() {
    table_with(
        &with("labelled_name"),
        "labelled_name",
        &[
            ("Naam: Jan de Vries", "Naam: *** ** *****"),
            ("Achternaam: van den Berg", "Achternaam: *** *** ****"),
            ("Name: Priya Raman, Phone", "Name: ***** *****, Phone"),
            ("Vorname: Jürgen", "Vorname: ******"),
            ("t.a.v. J. Jansen", "t.a.v. *. ******"),
            ("Full name: Anne-Marie O'Brien", "Full name: ****-***** *'*****"),
            ("Voornaam:Sanne", "Voornaam:*****"),
            ("naam: jan", "naam: jan"),
            ("Productnaam: Winterjas", "Productnaam: Winterjas"),
            ("Naam van het product", "Naam van het product"),
            ("the name of the rose", "the name of the rose"),
        ],
    );
}

#[test]
fn opt_in_detectors_are_off_by_default_and_names_are_checked() {
    for text in ["1012 LG", "GH-123-K", "Naam: Jan de Vries"] {
        let (masked, report) = mask_text(text, &MaskingRules::default());
        assert_eq!(masked, text);
        assert!(report.is_empty(), "{text}: {report:?}");
    }
    assert!(
        MaskingRules::new(SiteRules { detectors: vec!["@postcode".into()], ..SiteRules::default() }).is_ok()
    );
    let unknown = MaskingRules::new(SiteRules { detectors: vec!["email".into()], ..SiteRules::default() });
    assert!(
        matches!(unknown, Err(crate::RuleError::Detector { ref name }) if name == "email"),
        "{unknown:?}"
    );
    let taken = MaskingRules::new(SiteRules {
        patterns: vec![("postcode".into(), "[0-9]{4}".into())],
        ..SiteRules::default()
    });
    assert!(matches!(taken, Err(crate::RuleError::PatternName { .. })), "{taken:?}");
}
