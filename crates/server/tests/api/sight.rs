//! A member who may not see an object gets, from every path about it, the answer
//! for an object that does not exist (docs/api.md: "a member who may not see an
//! object gets 404 for it"). In `platform`, a `user` sees a service only once
//! added to it.

use crate::support::{spawn_app, spawn_preset, Answer, TestApp, User};
use reqwest::Method;
use serde_json::{json, Value};
use steward_core::Policy;

struct Platform {
    app: TestApp,
    org: String,
    owner: User,
    /// A `user` added to no service but `open`.
    uma: User,
    /// A `user` added to `secret` as a service user.
    sam: User,
    secret: String,
    open: String,
}

async fn platform(app: TestApp) -> Platform {
    let org = app.signup("olivia@acme.test", "Acme").await;
    let uma = app
        .join(&org.id, &org.owner, "uma@acme.test", Some("user"))
        .await;
    let sam = app
        .join(&org.id, &org.owner, "sam@acme.test", Some("user"))
        .await;
    let mut ids = Vec::new();
    for name in ["Secret Service", "Open Service"] {
        let created = app
            .post(
                &format!("/api/v1/orgs/{}/objects", org.id),
                &org.owner.token,
                json!({"type": "service", "name": name}),
            )
            .await
            .expect(201);
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    let (secret, open) = (ids[0].clone(), ids[1].clone());
    for (who, service) in [(&sam, &secret), (&uma, &open)] {
        app.call(
            Method::PUT,
            &format!(
                "/api/v1/orgs/{}/members/{}/scopes/{service}",
                org.id, who.id
            ),
            Some(&org.owner.token),
            Some(json!({"roles": ["service_user"]})),
        )
        .await
        .expect(200);
    }
    Platform {
        app,
        org: org.id,
        owner: org.owner,
        uma,
        sam,
        secret,
        open,
    }
}

impl Platform {
    fn at(&self, rest: &str) -> String {
        format!("/api/v1/orgs/{}{rest}", self.org)
    }

    /// Every path about the object `id`, as `(method, path, body)`.
    fn about(&self, id: &str) -> Vec<(Method, String, Option<Value>)> {
        let (sam, uma) = (&self.sam.id, &self.uma.id);
        vec![
            (Method::GET, self.at(&format!("/objects/{id}")), None),
            (
                Method::GET,
                self.at(&format!("/objects/{id}/permissions")),
                None,
            ),
            (
                Method::PUT,
                self.at(&format!("/objects/{id}/grants/{sam}")),
                Some(json!({"actions": ["service:use"]})),
            ),
            (
                Method::POST,
                self.at(&format!("/objects/{id}/owner")),
                Some(json!({"user_id": uma})),
            ),
            (Method::DELETE, self.at(&format!("/objects/{id}")), None),
            (
                Method::PUT,
                self.at(&format!("/members/{sam}/scopes/{id}")),
                Some(json!({"roles": ["service_user"]})),
            ),
            (
                Method::GET,
                self.at(&format!("/members/{sam}/permissions?object_id={id}")),
                None,
            ),
            (
                Method::GET,
                self.at(&format!("/members/{uma}/permissions?object_id={id}")),
                None,
            ),
            (
                Method::PATCH,
                self.at(&format!("/objects/{id}")),
                Some(json!({"name": "Renamed"})),
            ),
        ]
    }

    async fn ask(
        &self,
        who: &User,
        (method, path, body): (Method, String, Option<Value>),
    ) -> Answer {
        self.app.call(method, &path, Some(&who.token), body).await
    }

    async fn check(&self, who: &User, user: &str, action: &str, object: &str) -> Value {
        self.app
            .check(&self.org, &who.token, user, action, object)
            .await
    }
}

#[tokio::test]
async fn a_user_gets_404_from_every_path_about_a_service_they_were_not_added_to() {
    let t = platform(spawn_preset("platform").await).await;
    let before = t
        .app
        .get(&t.at("/audit/verify"), &t.owner.token)
        .await
        .expect(200);
    for (hidden, missing) in t.about(&t.secret).into_iter().zip(t.about("svc_nothing")) {
        let label = format!("{} {}", hidden.0, hidden.1);
        let answer = t.ask(&t.uma, hidden).await;
        answer.refused(404, "unknown_object");
        let none = t.ask(&t.uma, missing).await;
        assert_eq!(
            (answer.status, answer.reason()),
            (none.status, none.reason()),
            "{label}: as for a service that does not exist"
        );
    }
    // Nothing was changed, and the log says nothing happened.
    let after = t
        .app
        .get(&t.at("/audit/verify"), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(before["events"], after["events"]);
    let sam = t
        .app
        .get(&t.at(&format!("/members/{}", t.sam.id)), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(sam["scopes"][0]["object_id"], t.secret.as_str());
}

#[tokio::test]
async fn a_check_about_a_service_a_user_may_not_see_reads_as_one_that_does_not_exist() {
    let t = platform(spawn_preset("platform").await).await;
    let nothing = json!({"allowed": false, "reason": "unknown_object"});
    for user in [&t.uma.id, &t.sam.id] {
        assert_eq!(
            t.check(&t.uma, user, "service:use", &t.secret).await,
            nothing
        );
        assert_eq!(
            t.check(&t.uma, user, "service:use", "svc_nothing").await,
            nothing
        );
    }
    let batch = t
        .app
        .post(
            &t.at("/check/batch"),
            &t.uma.token,
            json!({"checks": [
                {"user_id": t.sam.id, "action": "service:use", "object_id": t.secret},
                {"user_id": t.uma.id, "action": "service:use", "object_id": t.open},
            ]}),
        )
        .await
        .expect(200);
    assert_eq!(batch["results"][0], nothing);
    assert_eq!(batch["results"][1]["allowed"], true);
    // The service's members and a product's back-end ask as before.
    assert_eq!(
        t.check(&t.sam, &t.sam.id, "service:use", &t.secret).await["allowed"],
        true
    );
    let key = t.app.api_key(&t.org, &t.owner).await;
    let answer = t
        .app
        .check(&t.org, &key, &t.sam.id, "service:use", &t.secret)
        .await;
    assert_eq!(answer["allowed"], true);
}

#[tokio::test]
async fn lists_show_a_user_nothing_of_a_service_they_may_not_see() {
    let t = platform(spawn_preset("platform").await).await;
    let objects = t.app.get(&t.at("/objects"), &t.uma.token).await.expect(200);
    let ids: Vec<&str> = objects["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [t.open.as_str()]);
    let allowed_for = t
        .app
        .get(
            &t.at(&format!(
                "/objects?allowed_for={}&action=service:use",
                t.sam.id
            )),
            &t.uma.token,
        )
        .await
        .expect(200);
    assert_eq!(
        allowed_for["items"],
        json!([]),
        "sam's service is not uma's to know"
    );
    // Sam's scope on it is left out of what uma reads of him, in every shape.
    let sam = t
        .app
        .get(&t.at(&format!("/members/{}", t.sam.id)), &t.uma.token)
        .await
        .expect(200);
    assert_eq!(sam["scopes"], json!([]));
    let members = t.app.get(&t.at("/members"), &t.uma.token).await.expect(200);
    assert!(!members.to_string().contains(&t.secret), "{members}");
    let export = t
        .app
        .http
        .get(t.app.url(&t.at("/members/export")))
        .bearer_auth(&t.uma.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(export.contains("sam@acme.test"), "{export}");
    assert!(!export.contains(&t.secret), "{export}");
    // Whoever may see it reads it whole.
    let sam = t
        .app
        .get(&t.at(&format!("/members/{}", t.sam.id)), &t.owner.token)
        .await
        .expect(200);
    assert_eq!(sam["scopes"][0]["object_id"], t.secret.as_str());
}

#[tokio::test]
async fn a_service_a_user_was_added_to_answers_them_as_before() {
    let t = platform(spawn_preset("platform").await).await;
    let about = t.about(&t.open);
    t.ask(&t.uma, about[0].clone()).await.expect(200);
    // Who may do what on it is for those who may share it (issue 16).
    t.ask(&t.uma, about[1].clone())
        .await
        .refused(403, "not_permitted");
    // Seen, but not theirs to change: refused by the rule, not hidden.
    let rename = about[about.len() - 1].clone();
    t.ask(&t.uma, rename).await.refused(403, "not_permitted");
    for change in &about[2..6] {
        t.ask(&t.uma, change.clone())
            .await
            .refused(403, "not_permitted");
    }
    let own = t.ask(&t.uma, about[7].clone()).await.expect(200);
    assert_eq!(own["actions"], json!(["service:use"]));
}

/// `platform` with an auditor: reads the log and the members, and is added to
/// no service. A third role the Organization Admin check box cannot give, so
/// the console offers the roles as a dropdown.
fn with_auditor() -> Policy {
    let text = include_str!("../../../../policies/platform.toml")
        .replace(
            "[console]\nrole_control = \"checkbox\"\nchecked_role = \"organization_administrator\"\nunchecked_role = \"user\"\n",
            "",
        )
        .replace(
            "organization_owner = [\"user\", \"organization_administrator\"]",
            "organization_owner = [\"user\", \"organization_administrator\", \"auditor\"]",
        )
        .replace(
            "[roles.service.service_admin]",
            "[roles.organization.auditor]\nlabel = \"Auditor\"\nrank = 15\n\
             permissions = [\"org:view\", \"members:view\", \"audit:view\"]\n\n\
             [roles.service.service_admin]",
        );
    Policy::parse(&text).unwrap()
}

#[tokio::test]
async fn the_audit_log_filtered_on_a_service_the_caller_may_not_see_is_404() {
    let t = platform(spawn_app(with_auditor()).await).await;
    let auditor = t
        .app
        .join(&t.org, &t.owner, "audrey@acme.test", Some("auditor"))
        .await;
    t.app
        .get(
            &t.at(&format!("/audit?target={}", t.secret)),
            &auditor.token,
        )
        .await
        .refused(404, "unknown_object");
    // About a member, or for whoever sees the service, the filter answers.
    t.app
        .get(
            &t.at(&format!("/audit?target={}", t.sam.id)),
            &auditor.token,
        )
        .await
        .expect(200);
    let events = t
        .app
        .get(
            &t.at(&format!("/audit?target={}", t.secret)),
            &t.owner.token,
        )
        .await
        .expect(200);
    assert!(!events["items"].as_array().unwrap().is_empty());
}
