//! The console's sessions over real HTTP: cookies, CSRF, sign-out, tenancy and
//! what pages may load. (The pages themselves are driven in Chromium by
//! tests/browser.)

use crate::support::{spawn_preset, TestApp, PASSWORD};
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;

/// A browser without redirects or a cookie jar: the test reads every header.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) fn csrf_in(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("the page has a CSRF field")
        + 19;
    html[at..at + 32].to_string()
}

pub(crate) fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

/// A fresh sign-in form's cookie (`name=value`) and CSRF token.
async fn pre_session(app: &TestApp) -> (String, String) {
    let page = browser()
        .get(format!("http://{}/sign-in", app.addr))
        .send()
        .await
        .unwrap();
    let pre = cookie_value(page.headers()[SET_COOKIE].to_str().unwrap());
    (pre, csrf_in(&page.text().await.unwrap()))
}

/// Signs in through the form, asking to go to `next` afterwards.
async fn sign_in_to(app: &TestApp, email: &str, next: &str) -> reqwest::Response {
    let (pre, csrf) = pre_session(app).await;
    let answer = browser()
        .post(format!("http://{}/sign-in", app.addr))
        .header(COOKIE, pre)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("next", next),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    answer
}

fn session_set_cookie(answer: &reqwest::Response) -> Option<String> {
    answer
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("steward_session=") && !c.starts_with("steward_session=;"))
}

/// Signs in through the form; answers the `Set-Cookie` of the session.
pub(crate) async fn sign_in(app: &TestApp, email: &str) -> String {
    let answer = sign_in_to(app, email, "/").await;
    session_set_cookie(&answer).expect("signing in sets the session cookie")
}

pub(crate) async fn page(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    browser()
        .get(format!("http://{}{path}", app.addr))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_preset("operations").await;
    app.signup("olivia@example.com", "Acme").await;
    let set = sign_in(&app, "olivia@example.com").await;
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    assert!(
        !set.contains("Secure"),
        "plain http is not marked Secure: {set}"
    );
}

#[tokio::test]
async fn a_form_without_its_csrf_token_changes_nothing() {
    let app = spawn_preset("operations").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    let vic = app
        .join(&org.id, &org.owner, "vic@example.com", Some("viewer"))
        .await;
    let cookie = cookie_value(&sign_in(&app, "olivia@example.com").await);
    let users = page(&app, &cookie, &format!("/orgs/{}/users", org.id)).await;
    assert_eq!(users.status(), StatusCode::OK);
    let csrf = csrf_in(&users.text().await.unwrap());
    // The edit panel's Save: the only form that changes a role.
    let role_url = format!("http://{}/orgs/{}/users/{}", app.addr, org.id, vic.id);

    let forged = browser()
        .post(&role_url)
        .header(COOKIE, &cookie)
        .form(&[("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let wrong = browser()
        .post(&role_url)
        .header(COOKIE, &cookie)
        .form(&[
            ("role", "admin"),
            ("csrf", "0123456789abcdef0123456789abcdef"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.role_of(&org.id, &org.owner, &vic).await, "viewer");

    let sent = browser()
        .post(&role_url)
        .header(COOKIE, &cookie)
        .form(&[("role", "admin"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.role_of(&org.id, &org.owner, &vic).await, "admin");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_preset("operations").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    let cookie = cookie_value(&sign_in(&app, "olivia@example.com").await);
    let users = page(&app, &cookie, &format!("/orgs/{}/users", org.id)).await;
    let csrf = csrf_in(&users.text().await.unwrap());
    let out = browser()
        .post(format!("http://{}/sign-out", app.addr))
        .header(COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    // The old cookie, kept by a copy somewhere, no longer opens anything.
    let again = page(&app, &cookie, &format!("/orgs/{}/users", org.id)).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let to = again.headers()[LOCATION].to_str().unwrap();
    assert!(to.starts_with("/sign-in?next="), "{to}");
}

#[tokio::test]
async fn another_organizations_console_is_not_found() {
    let app = spawn_preset("operations").await;
    let acme = app.signup("olivia@example.com", "Acme").await;
    app.signup("gus@example.com", "Globex").await;
    let gus = cookie_value(&sign_in(&app, "gus@example.com").await);
    for path in [
        "users",
        "objects",
        "audit",
        "roles",
        "ownership",
        "me",
        "settings",
    ] {
        let answer = page(&app, &gus, &format!("/orgs/{}/{path}", acme.id)).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn pages_load_nothing_from_outside_the_server() {
    let app = spawn_preset("operations").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    let cookie = cookie_value(&sign_in(&app, "olivia@example.com").await);
    for path in [
        "users",
        "objects",
        "audit",
        "roles",
        "ownership",
        "me",
        "settings",
    ] {
        let answer = page(&app, &cookie, &format!("/orgs/{}/{path}", org.id)).await;
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        let policy = answer.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        assert!(policy.contains("default-src 'self'"), "{policy}");
        let html = answer.text().await.unwrap();
        for outside in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
            assert!(!html.contains(outside), "{path} loads {outside}...");
        }
    }
    for (export, kind) in [
        ("audit/export?format=csv", "text/csv"),
        ("audit/export?format=jsonl", "application/x-ndjson"),
        ("users/export", "text/csv"),
    ] {
        let answer = page(&app, &cookie, &format!("/orgs/{}/{export}", org.id)).await;
        assert_eq!(answer.status(), StatusCode::OK, "{export}");
        let content_type = answer.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap();
        assert!(content_type.starts_with(kind), "{export}: {content_type}");
        assert!(
            answer.text().await.unwrap().contains("olivia@example.com"),
            "{export}"
        );
    }
    for asset in ["console.css", "console.js", "htmx.min.js"] {
        let answer = page(&app, &cookie, &format!("/assets/{asset}")).await;
        assert_eq!(answer.status(), StatusCode::OK, "{asset}");
    }
}

#[tokio::test]
async fn an_unknown_address_is_a_page_for_a_browser_and_json_for_a_client() {
    let app = spawn_preset("operations").await;
    let url = format!("http://{}/no/such/page", app.addr);
    let page = browser()
        .get(&url)
        .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.text().await.unwrap().contains("<title>Not found"));
    let json = browser().get(&url).send().await.unwrap();
    assert_eq!(json.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = json.json().await.unwrap();
    assert_eq!(body["error"]["reason"], "no_route");
}

#[tokio::test]
async fn a_viewer_is_told_inside_the_console_that_users_and_audit_are_not_theirs() {
    let app = spawn_preset("operations").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    app.join(&org.id, &org.owner, "vic@example.com", Some("viewer"))
        .await;
    let vic = cookie_value(&sign_in(&app, "vic@example.com").await);
    for (path, needs) in [("users", "members:view"), ("audit", "audit:view")] {
        let answer = page(&app, &vic, &format!("/orgs/{}/{path}", org.id)).await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{path}");
        let html = answer.text().await.unwrap();
        assert!(html.contains("id=\"message\""), "{path}");
        assert!(html.contains(needs), "{path} names what it needs");
        assert!(
            html.contains("nav class=\"side\""),
            "{path} keeps the console's navigation"
        );
    }
}

/// `next` after sign-in is kept only when, read as a URL relative to the server,
/// it stays on the server's origin; anything else goes to the first page.
#[tokio::test]
async fn sign_in_sends_the_browser_only_to_a_page_of_this_server() {
    let app = spawn_preset("operations").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    let good = format!("/orgs/{}/users?role=admin", org.id);
    for (next, expected) in [
        // What `/%09/evil.test` decodes to; browsers drop the tab: `//evil.test`.
        ("/\t/evil.test", "/"),
        ("/\n/evil.test", "/"),
        ("//evil.test", "/"),
        ("/\\evil.test", "/"),
        ("/.//evil.test", "/"),
        ("https://evil.test/", "/"),
        ("javascript:alert(1)", "/"),
        (good.as_str(), good.as_str()),
    ] {
        // The link's `next` reaches the form only when it is local...
        let page = browser()
            .get(format!("http://{}/sign-in", app.addr))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        let html = page.text().await.unwrap();
        assert!(!html.contains("evil.test"), "{next:?} is in the form");
        assert!(!html.contains("javascript:"), "{next:?} is in the form");
        // ...and the form's `next` is checked again when it comes back.
        let answer = sign_in_to(&app, "olivia@example.com", next).await;
        assert_eq!(answer.headers()[LOCATION], expected, "{next:?}");
    }
}

/// An invitation for an address that has an account is accepted only signed in:
/// the join page sends the person to the sign-in (the login's limiter, audit and
/// timing), which brings them back to join.
#[tokio::test]
async fn an_existing_account_joins_by_signing_in_and_coming_back_to_the_invitation() {
    let app = spawn_preset("operations").await;
    app.signup("olivia@example.com", "Acme").await;
    let globex = app.signup("gus@example.com", "Globex").await;
    let inv = app
        .post(
            &format!("/api/v1/orgs/{}/invitations", globex.id),
            &globex.owner.token,
            json!({"email": "olivia@example.com", "role": "operator"}),
        )
        .await
        .expect(201);
    let join = format!("/invitations/{}", inv["token"].as_str().unwrap());
    let url = |path: &str| format!("http://{}{path}", app.addr);
    let sign_in_link: String = form_urlencoded::byte_serialize(join.as_bytes()).collect();
    let sign_in_link = format!("/sign-in?next={sign_in_link}");

    // Not signed in: the page asks her to sign in, and takes no password.
    let asked = browser().get(url(&join)).send().await.unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    let html = asked.text().await.unwrap();
    assert!(html.contains(&format!("href=\"{sign_in_link}\"")), "{html}");
    assert!(!html.contains("name=\"password\""), "{html}");

    // Her password posted to the join form anyway signs nobody in.
    let (pre, csrf) = pre_session(&app).await;
    let posted = browser()
        .post(url(&join))
        .header(COOKIE, pre)
        .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(session_set_cookie(&posted), None);
    let html = posted.text().await.unwrap();
    assert!(html.contains(&format!("href=\"{sign_in_link}\"")), "{html}");
    let members = app
        .get(
            &format!("/api/v1/orgs/{}/members", globex.id),
            &globex.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(members["items"].as_array().unwrap().len(), 1, "{members}");

    // Someone else signed in is told the invitation is not theirs.
    let gus = cookie_value(&sign_in(&app, "gus@example.com").await);
    let html = page(&app, &gus, &join).await.text().await.unwrap();
    assert!(!html.contains(&format!("action=\"{join}/join\"")), "{html}");

    // The sign-in page from the link brings her back to the invitation.
    let form = browser()
        .get(url(&sign_in_link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains(&format!("name=\"next\" value=\"{join}\"")),
        "{form}"
    );
    let signed_in = sign_in_to(&app, "olivia@example.com", &join).await;
    assert_eq!(signed_in.headers()[LOCATION], join.as_str());
    let olivia = cookie_value(&session_set_cookie(&signed_in).unwrap());

    // Signed in, she joins with one click.
    let confirm = page(&app, &olivia, &join).await;
    assert_eq!(confirm.status(), StatusCode::OK);
    let html = confirm.text().await.unwrap();
    assert!(html.contains(&format!("action=\"{join}/join\"")), "{html}");
    let joined = browser()
        .post(url(&format!("{join}/join")))
        .header(COOKIE, &olivia)
        .form(&[("csrf", csrf_in(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        joined.headers()[LOCATION],
        format!("/orgs/{}/users", globex.id).as_str()
    );
    let olivia = app.login("olivia@example.com").await;
    assert_eq!(
        app.role_of(&globex.id, &globex.owner, &olivia).await,
        "operator"
    );
}

#[tokio::test]
async fn a_form_field_that_is_not_utf8_is_refused_and_nothing_is_stored() {
    let app = spawn_preset("operations").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    let cookie = cookie_value(&sign_in(&app, "olivia@example.com").await);
    let users = page(&app, &cookie, &format!("/orgs/{}/users", org.id)).await;
    let csrf = csrf_in(&users.text().await.unwrap());
    // As a form is sent, written by hand: `%FF%FE` decodes to bytes that are not UTF-8.
    let answer = browser()
        .post(format!("http://{}/orgs/{}/invite", app.addr, org.id))
        .header(COOKIE, &cookie)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(format!(
            "csrf={csrf}&email=%FF%FEjoe%40x.test&name=Joe&role=viewer"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let html = answer.text().await.unwrap();
    assert!(html.contains("UTF-8"), "{html}");
    let invitations = app
        .get(
            &format!("/api/v1/orgs/{}/invitations", org.id),
            &org.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(invitations["items"], serde_json::json!([]), "{invitations}");
    // A query string likewise.
    let search = page(&app, &cookie, &format!("/orgs/{}/users?q=%FF", org.id)).await;
    assert_eq!(search.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_address_with_a_control_character_is_not_found_not_a_server_error() {
    let app = spawn_preset("operations").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    let cookie = cookie_value(&sign_in(&app, "olivia@example.com").await);
    for path in [
        "/orgs/%0A",
        "/orgs/%0D%0ASet-Cookie:%20x=1",
        "/orgs/%09",
        "/orgs/%7F",
    ] {
        for who in ["", cookie.as_str()] {
            let answer = browser()
                .get(format!("http://{}{path}", app.addr))
                .header(COOKIE, who)
                .header(reqwest::header::ACCEPT, "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
            assert!(answer.headers().get(LOCATION).is_none(), "{path}");
        }
    }
    // The organization's own address still lands on its Users page.
    let home = page(&app, &cookie, &format!("/orgs/{}", org.id)).await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        home.headers()[LOCATION],
        format!("/orgs/{}/users", org.id).as_str()
    );
}

#[tokio::test]
async fn a_console_address_that_is_not_utf8_is_an_error_page() {
    let app = spawn_preset("operations").await;
    let org = app.signup("olivia@example.com", "Acme").await;
    let cookie = cookie_value(&sign_in(&app, "olivia@example.com").await);
    let answer = browser()
        .get(format!("http://{}/orgs/%FF/objects", app.addr))
        .header(COOKIE, &cookie)
        .header(reqwest::header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let html = answer.text().await.unwrap();
    assert!(html.contains("<title>"), "a page: {html}");
    assert!(html.contains("UTF-8"), "{html}");
    let _ = org;
}
