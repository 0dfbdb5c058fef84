use super::*;

fn attrs(pairs: &[(&'static str, &'static str)]) -> Vec<Entry<'static>> {
    pairs.iter().map(|(k, v)| ((*k).into(), Value::from(*v))).collect()
}

fn set(block: &[&str], unmask: &[&str]) -> SelectorSet {
    let own = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    SelectorSet::new(&own(block), &own(unmask)).expect("valid selectors")
}

/// Matches a path of elements from the root; returns (block, unmask) of
/// the last one.
fn path(set: &SelectorSet, elements: &[(&str, Vec<Entry<'static>>)]) -> (bool, bool) {
    let mut state = SelState::default();
    let mut last = Matched::default();
    for (tag, a) in elements {
        last = set.step(tag, Some(a), state);
        state = last.state;
    }
    (last.block, last.unmask)
}

#[test]
fn refused_syntax_is_named() {
    let cases = [
        ("a:hover", "pseudo-class ':hover'"),
        ("li:nth-child(2)", "pseudo-class ':nth-child'"),
        ("p::before", "pseudo-element '::before'"),
        ("h1 + p", "sibling combinator '+'"),
        ("h1 ~ p", "sibling combinator '~'"),
        ("[href^=http]", "attribute operator '^='"),
        ("[class*=x]", "attribute operator '*='"),
        ("[lang|=en]", "attribute operator '|='"),
        ("svg|rect", "namespace '|'"),
        ("[a=b i]", "attribute case flag"),
        ("#a\\:b", "escape '\\'"),
        ("& .x", "nesting selector '&'"),
    ];
    for (selector, syntax) in cases {
        let err = SelectorSet::new(&[selector.to_owned()], &[]).err();
        assert_eq!(
            err,
            Some((selector.to_owned(), SelectorError::Unsupported(syntax.to_owned()))),
            "{selector}"
        );
    }
    for malformed in ["", ".", "[x", "a,", "a >", "[x='y]"] {
        assert!(SelectorSet::new(&[malformed.to_owned()], &[]).is_err(), "{malformed:?}");
    }
}

#[test]
fn too_many_compounds() {
    let many: Vec<String> = (0..=MAX_COMPOUNDS).map(|i| format!(".c{i}")).collect();
    assert_eq!(SelectorSet::new(&many, &[]).err().map(|e| e.1), Some(SelectorError::TooMany));
}

#[test]
fn compound_matching() {
    let s = set(&["input#card.pay.big[data-x][name=n]"], &[]);
    let yes = attrs(&[("id", "card"), ("class", "big pay"), ("data-x", ""), ("name", "n")]);
    assert!(s.step("INPUT", Some(&yes), SelState::default()).block);
    for missing in ["id", "class", "data-x", "name"] {
        let without: Vec<_> = yes.iter().filter(|(k, _)| k != missing).cloned().collect();
        assert!(!s.step("input", Some(&without), SelState::default()).block, "without {missing}");
    }
    assert!(!s.step("div", Some(&yes), SelState::default()).block);
    let quoted = set(&["[data-kind=\"credit card\"]", "*[aria-hidden='true']"], &[]);
    assert!(quoted.step("div", Some(&attrs(&[("data-kind", "credit card")])), SelState::default()).block);
    assert!(quoted.step("span", Some(&attrs(&[("aria-hidden", "true")])), SelState::default()).block);
}

#[test]
fn combinators() {
    let s = set(&[".account .iban", "form > input.secret"], &["main article, footer"]);
    let div = |class: &'static str| ("div", attrs(&[("class", class)]));
    assert_eq!(
        path(&s, &[div("account"), div("x"), div("y"), ("span", attrs(&[("class", "iban")]))]),
        (true, false)
    );
    assert_eq!(path(&s, &[div("x"), ("span", attrs(&[("class", "iban")]))]), (false, false));
    let input = ("input", attrs(&[("class", "secret")]));
    assert_eq!(path(&s, &[("form", vec![]), input.clone()]), (true, false));
    assert_eq!(path(&s, &[("form", vec![]), div("wrap"), input]), (false, false));
    assert_eq!(path(&s, &[("main", vec![]), div("x"), ("article", vec![])]), (false, true));
    assert_eq!(path(&s, &[("footer", vec![])]), (false, true));
    assert_eq!(path(&s, &[("article", vec![])]), (false, false));
}

#[test]
fn state_is_kept_only_where_descendants_need_it() {
    let s = set(&[".secret"], &[]);
    let m = s.step("div", Some(&attrs(&[("class", "secret")])), SelState::default());
    assert!(m.block);
    assert!(m.state.is_empty(), "a one-compound rule needs no state below the match");
    let s = set(&[".a .b"], &[]);
    let m = s.step("div", Some(&attrs(&[("class", "a")])), SelState::default());
    assert!(!m.state.is_empty());
}
