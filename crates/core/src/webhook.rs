//! A webhook endpoint as the state holds it, and the rules on what one may be:
//! an absolute http(s) URL and event types the audit log knows
//! (docs/webhooks.md). Its secret is not here: the state is the audit log's.

use crate::event::Change;
use crate::id::WebhookId;

/// The longest URL an endpoint may have.
pub const MAX_URL_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: WebhookId,
    pub url: String,
    /// Empty: every event type.
    pub event_types: Vec<String>,
    pub enabled: bool,
}

impl Webhook {
    /// Whether an event of this type goes to the endpoint (enabled or not).
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type)
    }
}

/// Whether `url` may be an endpoint's: `http://` or `https://`, a host, no user
/// or password (they would be sent in the clear with every delivery and show in
/// the console), no spaces. Where it points is the server's to check when it
/// sends (the SSRF rule), since a name may resolve elsewhere later.
pub fn is_webhook_url(url: &str) -> bool {
    if url.len() > MAX_URL_LEN || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // A host before any port: `:8080` alone names none.
    !authority.is_empty() && !authority.starts_with(':') && !authority.contains('@')
}

/// The first of `types` the audit log does not know, if any.
pub fn unknown_event_type(types: &[String]) -> Option<&String> {
    types
        .iter()
        .find(|t| !Change::TYPE_NAMES.contains(&t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_url_is_absolute_http_with_a_host_and_no_credentials() {
        assert!(is_webhook_url("https://hooks.acme.test/steward"));
        assert!(is_webhook_url("http://127.0.0.1:8080/in"));
        assert!(is_webhook_url("http://[::1]:8080/in"));
        assert!(!is_webhook_url("ftp://hooks.acme.test/"));
        assert!(!is_webhook_url("https:///path"));
        assert!(!is_webhook_url("https://user:pw@hooks.acme.test/"));
        assert!(!is_webhook_url("https://hooks.acme.test/a b"));
        assert!(!is_webhook_url("hooks.acme.test"));
    }

    #[test]
    fn an_endpoint_without_event_types_wants_them_all() {
        let mut w = Webhook {
            id: WebhookId::parse("wh").unwrap(),
            url: "https://x.test".into(),
            event_types: vec![],
            enabled: true,
        };
        assert!(w.wants("user.role_changed"));
        w.event_types = vec!["member.deleted".into()];
        assert!(!w.wants("user.role_changed"));
        assert!(w.wants("member.deleted"));
        assert_eq!(
            unknown_event_type(&["member.deleted".into(), "member.gone".into()]),
            Some(&"member.gone".to_string())
        );
    }
}
