//! `@jwt`: JSON Web Tokens (and JWE's five-part form).
//!
//! Three or more base64url parts joined by dots whose first part starts
//! with `eyJ`, the base64url encoding of `{"` that every JOSE header begins
//! with. Decoding the header to look for `alg` would add nothing: no other
//! text starts that way, and a token with a corrupted header is still a
//! token.

use super::Verdict;
use super::context::{char_at, char_before};

pub(super) const SET: &str = r"eyJ[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]{2,}\.";
pub(super) const FIND: &str = r"eyJ[A-Za-z0-9_\-]{2,}(?:\.[A-Za-z0-9_\-]*){2,4}";

/// Base64url characters, and `*` (a masked one).
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '*'
}

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    if char_before(hay, start).is_some_and(token_char) {
        return Verdict::Reject(start + 1);
    }
    // A trailing dot may end the sentence rather than the token (whose
    // signature is empty only for `alg: none`).
    let e = if hay[start..end].ends_with('.') && hay[start..end - 1].split('.').count() >= 3 {
        end - 1
    } else {
        end
    };
    if char_at(hay, end).is_some_and(token_char) || hay[start..e].split('.').count() < 3 {
        return Verdict::Reject(end);
    }
    Verdict::Match(start, e)
}
