//! A small CSS selector matcher over rrweb's serialized elements: enough
//! for block and unmask rules, nothing that needs siblings or state.
//!
//! Supported: type (`input`), universal (`*`), `#id`, `.class`, `[attr]`,
//! `[attr=value]` (value bare or quoted), descendant (` `) and child (`>`)
//! combinators, and comma lists. Anything else (pseudo-classes, sibling
//! combinators, other attribute operators, namespaces, escapes) is refused
//! when the rules are built, with an error naming the syntax: a rule that
//! silently matched nothing would leave data unmasked.
//!
//! Matching is incremental, top-down, as nodes arrive in snapshots and
//! mutations: every compound selector of every rule has a bit position, and
//! a node's [`SelState`] says which prefixes of which rules match at the
//! node (for `>`) or at it or an ancestor (for ` `). A child's state
//! follows from its parent's state and its own tag and attributes, so the
//! session keeps only the few bits of nodes that can still matter, not
//! their attributes.

use thiserror::Error;
use veil_events::{Entry, Value};

/// Most compound selectors across all block and unmask rules of a site.
pub const MAX_COMPOUNDS: usize = 128;

/// Why a selector was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SelectorError {
    /// Valid CSS this matcher does not implement.
    #[error("unsupported syntax: {0}")]
    Unsupported(String),
    /// Not a selector.
    #[error("malformed selector: {0}")]
    Malformed(&'static str),
    /// More compound selectors than [`MAX_COMPOUNDS`].
    #[error("more than {MAX_COMPOUNDS} compound selectors across block and unmask selectors")]
    TooMany,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Compound {
    tag: Option<String>,
    id: Option<String>,
    classes: Vec<String>,
    attrs: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Combinator {
    Descendant,
    Child,
}

/// Which selector prefixes match at a node (`here`) and at it or an
/// ancestor (`anc`), restricted to the bits its descendants still need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SelState {
    pub here: u128,
    pub anc: u128,
}

impl SelState {
    pub(crate) fn is_empty(self) -> bool {
        self.here == 0 && self.anc == 0
    }
}

/// The outcome of matching one element.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Matched {
    /// What the element's children inherit.
    pub state: SelState,
    /// The element matches a block selector.
    pub block: bool,
    /// The element matches an unmask selector.
    pub unmask: bool,
}

/// All block and unmask selectors of a site, compiled.
#[derive(Debug, Clone, Default)]
pub(crate) struct SelectorSet {
    compounds: Vec<Compound>,
    first: u128,
    child: u128,
    desc: u128,
    block_final: u128,
    unmask_final: u128,
    keep_here: u128,
    keep_anc: u128,
}

impl SelectorSet {
    /// Compiles both lists; the error names the selector it refuses.
    pub(crate) fn new(block: &[String], unmask: &[String]) -> Result<SelectorSet, (String, SelectorError)> {
        let mut set = SelectorSet::default();
        for (list, is_block) in [(block, true), (unmask, false)] {
            for selector in list {
                let chains = parse_list(selector).map_err(|e| (selector.clone(), e))?;
                for chain in chains {
                    set.add_chain(chain, is_block).map_err(|e| (selector.clone(), e))?;
                }
            }
        }
        Ok(set)
    }

    fn add_chain(&mut self, chain: Vec<(Combinator, Compound)>, is_block: bool) -> Result<(), SelectorError> {
        if self.compounds.len() + chain.len() > MAX_COMPOUNDS {
            return Err(SelectorError::TooMany);
        }
        let last = chain.len().saturating_sub(1);
        for (i, (combinator, compound)) in chain.into_iter().enumerate() {
            let bit = 1u128 << self.compounds.len();
            if i == 0 {
                self.first |= bit;
            } else if combinator == Combinator::Child {
                self.child |= bit;
                self.keep_here |= bit >> 1;
            } else {
                self.desc |= bit;
                self.keep_anc |= bit >> 1;
            }
            if i == last {
                if is_block {
                    self.block_final |= bit;
                } else {
                    self.unmask_final |= bit;
                }
            }
            self.compounds.push(compound);
        }
        Ok(())
    }

    /// Matches an element with `tag` and `attrs` under a parent in state
    /// `parent`.
    pub(crate) fn step(&self, tag: &str, attrs: Option<&[Entry<'_>]>, parent: SelState) -> Matched {
        if self.compounds.is_empty() {
            return Matched::default();
        }
        let pred = self.first | ((parent.here << 1) & self.child) | ((parent.anc << 1) & self.desc);
        let mut here = 0u128;
        for (i, compound) in self.compounds.iter().enumerate() {
            let bit = 1u128 << i;
            if pred & bit != 0 && compound.matches(tag, attrs) {
                here |= bit;
            }
        }
        Matched {
            state: SelState { here: here & self.keep_here, anc: (parent.anc | here) & self.keep_anc },
            block: here & self.block_final != 0,
            unmask: here & self.unmask_final != 0,
        }
    }
}

impl Compound {
    fn matches(&self, tag: &str, attrs: Option<&[Entry<'_>]>) -> bool {
        if self.tag.as_ref().is_some_and(|t| !t.eq_ignore_ascii_case(tag)) {
            return false;
        }
        let attr = |name: &str| -> Option<&Value<'_>> {
            attrs?.iter().find(|(k, v)| k.eq_ignore_ascii_case(name) && !v.is_null()).map(|(_, v)| v)
        };
        if let Some(id) = &self.id
            && attr("id").and_then(Value::as_str) != Some(id.as_str())
        {
            return false;
        }
        if !self.classes.is_empty() {
            let class = attr("class").and_then(Value::as_str).unwrap_or("");
            if !self.classes.iter().all(|c| class.split_ascii_whitespace().any(|k| k == c)) {
                return false;
            }
        }
        self.attrs.iter().all(|(name, want)| match (attr(name), want) {
            (None, _) => false,
            (Some(Value::Bool(false)), _) => false,
            (Some(_), None) => true,
            (Some(v), Some(want)) => value_eq(v, want),
        })
    }
}

fn value_eq(v: &Value<'_>, want: &str) -> bool {
    match v {
        Value::Str(s) => s == want,
        Value::Bool(true) => want.is_empty(),
        Value::Int(n) => want.parse::<i64>().is_ok_and(|w| w == *n),
        Value::Float(f) => want.parse::<f64>().is_ok_and(|w| w == *f),
        _ => false,
    }
}

/// Parses a comma list into chains of `(combinator before, compound)`.
fn parse_list(selector: &str) -> Result<Vec<Vec<(Combinator, Compound)>>, SelectorError> {
    let mut p = Parser { s: selector.as_bytes(), src: selector, i: 0 };
    let mut chains = vec![p.chain()?];
    while p.eat(b',') {
        chains.push(p.chain()?);
    }
    p.skip_ws();
    match p.peek() {
        None => Ok(chains),
        Some(_) => Err(p.unexpected()),
    }
}

struct Parser<'s> {
    s: &'s [u8],
    src: &'s str,
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
        self.i > start
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn chain(&mut self) -> Result<Vec<(Combinator, Compound)>, SelectorError> {
        self.skip_ws();
        let mut chain = vec![(Combinator::Descendant, self.compound()?)];
        loop {
            let spaced = self.skip_ws();
            match self.peek() {
                None | Some(b',') => return Ok(chain),
                Some(b'>') => {
                    self.i += 1;
                    self.skip_ws();
                    chain.push((Combinator::Child, self.compound()?));
                }
                Some(b'+' | b'~') => return Err(self.unexpected()),
                Some(_) if spaced => chain.push((Combinator::Descendant, self.compound()?)),
                Some(_) => return Err(self.unexpected()),
            }
        }
    }

    fn compound(&mut self) -> Result<Compound, SelectorError> {
        let mut c = Compound::default();
        let start = self.i;
        if self.peek() == Some(b'*') {
            self.i += 1;
        } else if self.peek().is_some_and(is_ident) {
            c.tag = Some(self.ident()?.to_ascii_lowercase());
        }
        loop {
            match self.peek() {
                Some(b'#') => {
                    self.i += 1;
                    c.id = Some(self.ident()?.to_owned());
                }
                Some(b'.') => {
                    self.i += 1;
                    c.classes.push(self.ident()?.to_owned());
                }
                Some(b'[') => {
                    self.i += 1;
                    c.attrs.push(self.attribute()?);
                }
                Some(b'|') if self.i > start => return Err(self.unexpected()),
                _ => break,
            }
        }
        if self.i == start {
            return Err(match self.peek() {
                None => SelectorError::Malformed("expected a selector"),
                Some(_) => self.unexpected(),
            });
        }
        Ok(c)
    }

    fn attribute(&mut self) -> Result<(String, Option<String>), SelectorError> {
        self.skip_ws();
        let name = self.ident()?.to_ascii_lowercase();
        self.skip_ws();
        let value = match self.peek() {
            Some(b']') => None,
            Some(b'=') => {
                self.i += 1;
                self.skip_ws();
                Some(self.attr_value()?)
            }
            Some(op @ (b'~' | b'|' | b'^' | b'$' | b'*')) => {
                return Err(SelectorError::Unsupported(format!("attribute operator '{}='", char::from(op))));
            }
            _ => return Err(self.unexpected()),
        };
        self.skip_ws();
        if self.peek() != Some(b']') {
            return match self.peek() {
                Some(b'i' | b's') => Err(SelectorError::Unsupported("attribute case flag".into())),
                None => Err(SelectorError::Malformed("unclosed '['")),
                Some(_) => Err(self.unexpected()),
            };
        }
        self.i += 1;
        Ok((name, value))
    }

    fn attr_value(&mut self) -> Result<String, SelectorError> {
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                self.i += 1;
                let start = self.i;
                while let Some(c) = self.peek() {
                    if c == q {
                        let value = self.src[start..self.i].to_owned();
                        self.i += 1;
                        return Ok(value);
                    }
                    if c == b'\\' {
                        return Err(SelectorError::Unsupported("escape '\\'".into()));
                    }
                    self.i += 1;
                }
                Err(SelectorError::Malformed("unclosed quote"))
            }
            _ => Ok(self.ident()?.to_owned()),
        }
    }

    fn ident(&mut self) -> Result<&str, SelectorError> {
        let start = self.i;
        while self.peek().is_some_and(is_ident) {
            self.i += 1;
        }
        if self.i == start {
            return Err(match self.peek() {
                None => SelectorError::Malformed("unexpected end"),
                Some(_) => self.unexpected(),
            });
        }
        Ok(&self.src[start..self.i])
    }

    /// The error for the character at the cursor, naming the syntax.
    fn unexpected(&self) -> SelectorError {
        let rest = &self.src[self.i.min(self.src.len())..];
        let c = rest.chars().next().unwrap_or(' ');
        let what = match c {
            ':' => {
                let name: String = rest
                    .chars()
                    .skip(1)
                    .take_while(|c| *c == ':' || c.is_alphanumeric() || *c == '-')
                    .collect();
                if name.starts_with(':') {
                    format!("pseudo-element '::{}'", name.trim_start_matches(':'))
                } else {
                    format!("pseudo-class ':{name}'")
                }
            }
            '+' => "sibling combinator '+'".to_owned(),
            '~' => "sibling combinator '~'".to_owned(),
            '|' => "namespace '|'".to_owned(),
            '\\' => "escape '\\'".to_owned(),
            '&' => "nesting selector '&'".to_owned(),
            other => format!("character '{other}'"),
        };
        SelectorError::Unsupported(what)
    }
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c >= 0x80
}

#[cfg(test)]
#[path = "selectors_tests.rs"]
mod tests;
