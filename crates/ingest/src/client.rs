//! Which client a request comes from, for rate limiting and throttling
//! only: the address is used in memory and never stored or logged.
//!
//! Behind a reverse proxy every request's peer is the proxy, so all
//! visitors would share one bucket. When the peer is one of
//! `server.trusted_proxies`, the client is read from `X-Forwarded-For`
//! (or, without it, RFC 7239 `Forwarded: for=`), walking from the right
//! past every trusted hop: the first address no trusted proxy vouches for
//! is the client. Headers from an untrusted peer are ignored — anyone can
//! send them — so spoofing needs a trusted proxy's cooperation.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

/// A `server.trusted_proxies` entry that is not an address or CIDR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an IP address or CIDR (e.g. 10.0.0.0/8, ::1/128)")]
pub struct BadProxy(pub String);

impl TrustedProxies {
    /// From CIDRs or bare addresses (`10.0.0.0/8`, `127.0.0.1`, `::1`).
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<TrustedProxies, BadProxy> {
        let nets = entries
            .into_iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| BadProxy(entry.to_owned()))
            })
            .collect::<Result<_, _>>()?;
        Ok(TrustedProxies { nets })
    }

    /// Whether `address` is a trusted proxy.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.nets.iter().any(|net| net.contains(&address))
    }

    /// True without any proxy configured.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }
}

/// The client's address: the peer, or behind trusted proxies the address
/// they forwarded for.
pub fn address(request: &HttpRequest, trusted: Option<&TrustedProxies>) -> Option<IpAddr> {
    let peer = canonical(request.peer_addr()?.ip());
    let Some(trusted) = trusted.filter(|t| !t.is_empty() && t.contains(peer)) else {
        return Some(peer);
    };
    let headers = request.headers();
    let joined = |name: &str| -> Option<String> {
        let values: Vec<&str> = headers.get_all(name).filter_map(|v| v.to_str().ok()).collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    let hops: Vec<Option<IpAddr>> = if let Some(xff) = joined("x-forwarded-for") {
        xff.split(',').map(|hop| parse_hop(hop.trim())).collect()
    } else if let Some(forwarded) = joined("forwarded") {
        forwarded
            .split(',')
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.trim().split_once('=')?;
                    key.trim().eq_ignore_ascii_case("for").then(|| parse_hop(value.trim().trim_matches('"')))
                })
            })
            .collect()
    } else {
        return Some(peer);
    };
    Some(client_of(peer, &hops, trusted))
}

/// Walks `hops` (as listed, client first) from the right: each trusted hop
/// vouches for the one before it. An unparsable hop stops the walk at the
/// last address known good.
fn client_of(peer: IpAddr, hops: &[Option<IpAddr>], trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(address) => {
                client = *address;
                if !trusted.contains(*address) {
                    break;
                }
            }
            None => break,
        }
    }
    client
}

/// One hop: `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`; `unknown` and obfuscated names are `None`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(canonical(address));
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']').and_then(|(address, _)| address.parse().ok()).map(canonical);
    }
    hop.parse::<std::net::SocketAddr>().ok().map(|socket| canonical(socket.ip()))
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what dual-stack sockets report)
/// as IPv4, so `10.0.0.0/8` matches either form.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn trusted() -> TrustedProxies {
        TrustedProxies::parse(["10.0.0.0/8", "::1", "fd00::/8"]).expect("valid")
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    fn from(peer: &str, headers: &[(&str, &str)]) -> Option<IpAddr> {
        let mut request = TestRequest::default().peer_addr(std::net::SocketAddr::new(ip(peer), 40_000));
        for (name, value) in headers {
            request = request.append_header((*name, *value));
        }
        address(&request.to_http_request(), Some(&trusted()))
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        /// Peer, headers, the client expected.
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case<'_>] = &[
            // Untrusted peer: its headers are ignored.
            ("198.51.100.9", &[("X-Forwarded-For", "203.0.113.7")], "198.51.100.9"),
            // One trusted proxy.
            ("10.1.2.3", &[("X-Forwarded-For", "203.0.113.7")], "203.0.113.7"),
            // A client spoofing a hop in front of the real one.
            ("10.1.2.3", &[("X-Forwarded-For", "1.2.3.4, 203.0.113.7")], "203.0.113.7"),
            // Two trusted hops.
            ("10.1.2.3", &[("X-Forwarded-For", "203.0.113.7, 10.9.9.9")], "203.0.113.7"),
            // Several headers are one list.
            (
                "10.1.2.3",
                &[("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-For", "10.9.9.9")],
                "203.0.113.7",
            ),
            // Only trusted hops: the leftmost.
            ("10.1.2.3", &[("X-Forwarded-For", "10.4.4.4, 10.5.5.5")], "10.4.4.4"),
            // Malformed hop: the last good address.
            ("10.1.2.3", &[("X-Forwarded-For", "203.0.113.7, garbage")], "10.1.2.3"),
            // IPv6 and ports.
            ("::1", &[("X-Forwarded-For", "2001:db8::7")], "2001:db8::7"),
            ("::1", &[("X-Forwarded-For", "[2001:db8::7]:443")], "2001:db8::7"),
            ("::1", &[("X-Forwarded-For", "203.0.113.7:5000")], "203.0.113.7"),
            // RFC 7239.
            (
                "10.1.2.3",
                &[("Forwarded", r#"for="[2001:db8::9]:80";proto=https, for=10.2.2.2"#)],
                "2001:db8::9",
            ),
            ("10.1.2.3", &[("Forwarded", "for=unknown")], "10.1.2.3"),
            // No header: the proxy itself.
            ("10.1.2.3", &[], "10.1.2.3"),
            // A dual-stack socket's mapped form counts as IPv4.
            ("::ffff:10.1.2.3", &[("X-Forwarded-For", "203.0.113.7")], "203.0.113.7"),
        ];
        for (peer, headers, expected) in cases {
            assert_eq!(from(peer, headers), Some(ip(expected)), "{peer} {headers:?}");
        }
    }

    #[test]
    fn without_trusted_proxies_the_peer_counts() {
        let request = TestRequest::default()
            .peer_addr("10.1.2.3:1".parse().expect("socket"))
            .append_header(("X-Forwarded-For", "203.0.113.7"))
            .to_http_request();
        assert_eq!(address(&request, None), Some(ip("10.1.2.3")));
        assert_eq!(address(&request, Some(&TrustedProxies::default())), Some(ip("10.1.2.3")));
    }

    #[test]
    fn entries_parse_as_cidrs_or_addresses() {
        assert!(TrustedProxies::parse(["127.0.0.1", "10.0.0.0/8", "::1/128"]).is_ok());
        assert_eq!(TrustedProxies::parse(["10.0.0.0/33"]), Err(BadProxy("10.0.0.0/33".into())));
        assert_eq!(TrustedProxies::parse(["proxy.local"]), Err(BadProxy("proxy.local".into())));
    }
}
