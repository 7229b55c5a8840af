//! Where a webhook may be sent (the SSRF rule, docs/webhooks.md#ssrf): never to
//! a private, loopback, link-local, unique-local or otherwise internal address,
//! unless the operator allows it (`serve --webhooks-allow-private`). The host is
//! resolved here and every address checked; the request connects to the
//! addresses checked (reqwest asks this resolver), so a name cannot answer
//! differently between the check and the connection.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether a delivery may go to `ip`.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                // 64:ff9b::/96 NAT64 and 2001:db8::/32 documentation.
                || (first == 0x64 && v6.segments()[1] == 0xff9b)
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
                || v6 == Ipv6Addr::LOCALHOST)
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    !(v4.is_private()
        || v4.is_loopback()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0
        // 100.64.0.0/10 shared (carrier-grade NAT), 198.18.0.0/15 benchmarking,
        // 240.0.0.0/4 reserved.
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

/// Why a delivery's address was refused.
#[derive(Debug, thiserror::Error)]
#[error("{0} is a private or internal address; Steward sends webhooks there only with --webhooks-allow-private")]
pub struct PrivateAddress(pub IpAddr);

/// The resolver deliveries use: the system's, then the rule.
#[derive(Debug, Clone, Copy)]
pub struct CheckedResolver {
    pub allow_private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if !allow_private {
                if let Some(bad) = found.iter().find(|a| !is_public(a.ip())) {
                    return Err(Box::new(PrivateAddress(bad.ip())) as _);
                }
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// The address a URL names literally (`http://10.0.0.1/`), which reqwest
/// connects to without asking the resolver: checked here instead.
pub fn literal_refusal(url: &reqwest::Url, allow_private: bool) -> Option<PrivateAddress> {
    if allow_private {
        return None;
    }
    let ip = match url.host()? {
        url::Host::Ipv4(v4) => IpAddr::V4(v4),
        url::Host::Ipv6(v6) => IpAddr::V6(v6),
        url::Host::Domain(_) => return None,
    };
    (!is_public(ip)).then_some(PrivateAddress(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_and_public_ones_are_not() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!is_public(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_literal_internal_address_is_refused_unless_allowed() {
        let url = reqwest::Url::parse("http://169.254.169.254/latest").unwrap();
        assert!(literal_refusal(&url, false).is_some());
        assert!(literal_refusal(&url, true).is_none());
        let named = reqwest::Url::parse("http://hooks.example.test/").unwrap();
        assert!(literal_refusal(&named, false).is_none());
    }
}
