//! What Steward writes: each mail's words, rendered into the project's two
//! templates (templates/mail/letter.txt and .html; the HTML escapes every value,
//! so an organization named `<b>` shows as typed).

use crate::store::Letter;
use askama::Template;

#[derive(Template)]
#[template(path = "mail/letter.txt")]
struct TextLetter<'a> {
    greeting: &'a str,
    body: &'a str,
    action: &'a str,
    link: Option<&'a str>,
    note: Option<&'a str>,
    org: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "mail/letter.html")]
struct HtmlLetter<'a> {
    subject: &'a str,
    greeting: &'a str,
    body: &'a str,
    action: &'a str,
    link: Option<&'a str>,
    note: Option<&'a str>,
    org: Option<&'a str>,
}

/// The mails Steward sends.
#[derive(Debug, Clone)]
pub enum Mail<'a> {
    Invitation {
        org: &'a str,
        role: &'a str,
        link: &'a str,
    },
    Nomination {
        org: &'a str,
        from: &'a str,
        link: &'a str,
    },
    /// The nominee accepted or declined; to the owner who nominated.
    NominationAnswered {
        org: &'a str,
        nominee: &'a str,
        accepted: bool,
        link: &'a str,
    },
    PasswordReset {
        link: &'a str,
    },
    VerifyAddress {
        link: &'a str,
    },
    PasswordChanged,
    /// A just-in-time join or a first sign-in through an organization's
    /// provider, when the organization asks for the notice.
    SsoSignIn {
        org: &'a str,
        issuer: &'a str,
        joined: bool,
        link: &'a str,
    },
    /// Steward turned off an endpoint whose deliveries kept failing; to those
    /// who may turn it on again.
    WebhookDisabled {
        org: &'a str,
        url: &'a str,
        reason: &'a str,
        link: &'a str,
    },
}

struct Words<'a> {
    subject: String,
    body: String,
    action: &'a str,
    link: Option<&'a str>,
    note: Option<&'a str>,
    org: Option<&'a str>,
}

impl<'a> Mail<'a> {
    fn words(&self) -> Words<'a> {
        match *self {
            Mail::Invitation { org, role, link } => Words {
                subject: format!("You are invited to join {org} on Steward"),
                body: format!("You are invited to join {org} as {role}. The invitation is for this address only."),
                action: "Accept the invitation",
                link: Some(link),
                note: Some("If you did not expect this invitation, ignore this mail."),
                org: Some(org),
            },
            Mail::Nomination { org, from, link } => Words {
                subject: format!("{from} asks you to become the owner of {org}"),
                body: format!("{from} nominated you to take over the ownership of {org}. Accept or decline on the organization's Ownership page."),
                action: "Answer the nomination",
                link: Some(link),
                note: None,
                org: Some(org),
            },
            Mail::NominationAnswered { org, nominee, accepted, link } => Words {
                subject: if accepted {
                    format!("{nominee} is now the owner of {org}")
                } else {
                    format!("{nominee} declined the ownership of {org}")
                },
                body: if accepted {
                    format!("{nominee} accepted your nomination and now owns {org}.")
                } else {
                    format!("{nominee} declined your nomination; you still own {org}.")
                },
                action: "Open the organization",
                link: Some(link),
                note: None,
                org: Some(org),
            },
            Mail::PasswordReset { link } => Words {
                subject: "Reset your Steward password".into(),
                body: "Someone asked to reset the password of the Steward account for this address. The link works once, for one hour; using it signs out every session of the account.".into(),
                action: "Choose a new password",
                link: Some(link),
                note: Some("If it was not you, ignore this mail: your password stays as it is."),
                org: None,
            },
            Mail::VerifyAddress { link } => Words {
                subject: "Confirm your address for Steward".into(),
                body: "Confirm that this address is yours to sign in to Steward. You will be asked for the account's password.".into(),
                action: "Confirm the address",
                link: Some(link),
                note: Some("If you did not make this account, do not use the link: choose \"Forgot your password?\" on the sign-in page to take the address back."),
                org: None,
            },
            Mail::SsoSignIn { org, issuer, joined, link } => Words {
                subject: if joined {
                    format!("You joined {org} on Steward through single sign-on")
                } else {
                    format!("New single sign-on to {org} on Steward")
                },
                body: if joined {
                    format!("You signed in to Steward through {issuer}, the identity provider of {org}, and became a member of {org}.")
                } else {
                    format!("You signed in to Steward through {issuer}, the identity provider of {org}, for the first time.")
                },
                action: "Open the organization",
                link: Some(link),
                note: Some("If it was not you, tell your organization's administrators: someone signed in as you at its identity provider."),
                org: Some(org),
            },
            Mail::WebhookDisabled { org, url, reason, link } => Words {
                subject: format!("A webhook of {org} was turned off"),
                body: format!("Steward turned off the webhook endpoint {url} of {org}: {reason}. Its events are kept, not sent; turn it on again once it answers, and they are sent in order."),
                action: "Open its delivery log",
                link: Some(link),
                note: Some("You receive this because you may manage the organization's webhooks."),
                org: Some(org),
            },
            Mail::PasswordChanged => Words {
                subject: "Your Steward password was changed".into(),
                body: "The password of your Steward account was changed, and every other session of it was signed out.".into(),
                action: "",
                link: None,
                note: Some("If it was not you, choose \"Forgot your password?\" on the sign-in page now."),
                org: None,
            },
        }
    }

    /// The mail to `to`, in text and HTML.
    pub fn to(&self, to: &str) -> Result<Letter, askama::Error> {
        let w = self.words();
        let greeting = "Hello,";
        let text = TextLetter {
            greeting,
            body: &w.body,
            action: w.action,
            link: w.link,
            note: w.note,
            org: w.org,
        }
        .render()?;
        let html = HtmlLetter {
            subject: &w.subject,
            greeting,
            body: &w.body,
            action: w.action,
            link: w.link,
            note: w.note,
            org: w.org,
        }
        .render()?;
        Ok(Letter {
            to: to.to_string(),
            subject: w.subject,
            text,
            html,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_names_the_organization_and_the_link_and_escapes_them_in_html() {
        let letter = Mail::Invitation {
            org: "Acme <b>&</b>",
            role: "member",
            link: "https://steward.test/invitations/org_a.inv_x?a=1&b=2",
        }
        .to("ann@acme.test")
        .unwrap();
        assert!(letter.text.contains("Acme <b>&</b>"));
        assert!(letter
            .text
            .contains("https://steward.test/invitations/org_a.inv_x?a=1&b=2"));
        assert!(
            letter.html.contains("Acme &#60;b&#62;&#38;&#60;/b&#62;")
                || letter.html.contains("Acme &lt;b&gt;&amp;&lt;/b&gt;"),
            "{}",
            letter.html
        );
        assert!(!letter.html.contains("<b>&</b>"));
        assert!(letter.subject.contains("Acme"));
    }
}
