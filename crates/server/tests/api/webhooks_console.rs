//! The console's Webhooks page over real HTTP: kept from, and out of the
//! navigation of, whoever may not manage webhooks; a refused form says why
//! beside its field and saves nothing. (The page is driven in Chromium by
//! tests/browser/webhooks.test.mjs.)

use crate::support::{spawn_preset, TestApp, PASSWORD};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..at + 32].to_string()
}

fn first_cookie(answer: &reqwest::Response, name: &str) -> String {
    answer
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with(name) && c.len() > name.len() + 1)
        .unwrap()
}

/// Signs in through the form: the session cookie (`name=value`).
async fn session(app: &TestApp, email: &str) -> String {
    let form = browser().get(app.url("/sign-in")).send().await.unwrap();
    let pre = first_cookie(&form, "");
    let csrf = csrf_in(&form.text().await.unwrap());
    let answer = browser()
        .post(app.url("/sign-in"))
        .header(COOKIE, pre)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    first_cookie(&answer, "steward_session=")
}

async fn get(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let answer = browser()
        .get(app.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (answer.status(), answer.text().await.unwrap())
}

async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> StatusCode {
    let (_, html) = get(app, cookie, "/account").await;
    let csrf = csrf_in(&html);
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    let answer = browser()
        .post(app.url(path))
        .header(COOKIE, cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    answer.status()
}

#[tokio::test]
async fn a_viewer_is_kept_from_the_webhooks_page_and_not_led_to_it() {
    let app = spawn_preset("operations").await;
    let acme = app.signup("olivia@example.com", "Acme").await;
    app.join(&acme.id, &acme.owner, "vic@example.com", Some("viewer"))
        .await;
    let page = format!("/orgs/{}/settings/webhooks", acme.id);
    let hooks = format!("/api/v1/orgs/{}/webhooks", acme.id);

    let olivia = session(&app, "olivia@example.com").await;
    let (status, html) = get(&app, &olivia, &page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"new-webhook\""));
    assert!(
        html.contains(&format!("href=\"{page}\"")),
        "in her navigation"
    );

    let vic = session(&app, "vic@example.com").await;
    let (status, html) = get(&app, &vic, &page).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(!html.contains("id=\"new-webhook\""));
    assert!(
        html.contains("nav class=\"side\""),
        "said inside the console"
    );
    let (_, mine) = get(&app, &vic, &format!("/orgs/{}/me", acme.id)).await;
    assert!(
        !mine.contains(&format!("href=\"{page}\"")),
        "not in his navigation"
    );

    // Posting the form anyway changes nothing.
    let status = post(
        &app,
        &vic,
        &page,
        &[("url", "https://hooks.example.com/in"), ("events", "all")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (log, _) = get(&app, &vic, &format!("{page}/wh_nothing")).await;
    assert_eq!(log, StatusCode::FORBIDDEN);
    let listed = app.get(&hooks, &acme.owner.token).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_refused_endpoint_says_why_beside_its_field_and_saves_nothing() {
    let app = spawn_preset("operations").await;
    let acme = app.signup("olivia@example.com", "Acme").await;
    let olivia = session(&app, "olivia@example.com").await;
    let page = format!("/orgs/{}/settings/webhooks", acme.id);
    let hooks = format!("/api/v1/orgs/{}/webhooks", acme.id);

    let csrf = csrf_in(&get(&app, &olivia, &page).await.1);
    for (form, field) in [
        (
            vec![("url", "ftp://hooks.example.com/in"), ("events", "all")],
            "webhook-url-error",
        ),
        (
            vec![("url", "https://hooks.example.com/in"), ("events", "some")],
            "webhook-events-error",
        ),
        (
            vec![
                ("url", "https://hooks.example.com/in"),
                ("events", "some"),
                ("event_types", "member.gone"),
            ],
            "webhook-events-error",
        ),
    ] {
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(form.iter().copied());
        let answer = browser()
            .post(app.url(&page))
            .header(COOKIE, &olivia)
            .form(&fields)
            .send()
            .await
            .unwrap();
        let html = answer.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"{field}\"")),
            "{form:?}: {html}"
        );
        let listed = app.get(&hooks, &acme.owner.token).await.expect(200);
        assert_eq!(listed["items"].as_array().unwrap().len(), 0, "{form:?}");
    }
}

#[tokio::test]
async fn an_endpoint_steward_turned_off_shows_why_until_it_is_turned_on() {
    let app = spawn_preset("operations").await;
    let acme = app.signup("olivia@example.com", "Acme").await;
    let hooks = format!("/api/v1/orgs/{}/webhooks", acme.id);
    let made = app
        .post(
            &hooks,
            &acme.owner.token,
            serde_json::json!({"url": "https://hooks.example.com/in"}),
        )
        .await
        .expect(201);
    let id = made["id"].as_str().unwrap();
    // What the courier does after 3 days of failures (docs/webhooks.md).
    app.app
        .service()
        .execute(
            &steward_core::OrgId::parse(&acme.id).unwrap(),
            &steward_core::Actor::System,
            steward_core::Command::DisableWebhook {
                webhook_id: steward_core::WebhookId::parse(id).unwrap(),
                reason: "HTTP 503 for 3 days".into(),
            },
        )
        .await
        .unwrap();
    let olivia = session(&app, "olivia@example.com").await;
    let page = format!("/orgs/{}/settings/webhooks", acme.id);
    let (status, html) = get(&app, &olivia, &page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("HTTP 503 for 3 days"), "{html}");
    let (_, log) = get(&app, &olivia, &format!("{page}/{id}")).await;
    assert!(log.contains("HTTP 503 for 3 days"), "{log}");

    app.patch(
        &format!("{hooks}/{id}"),
        &acme.owner.token,
        serde_json::json!({"enabled": true}),
    )
    .await
    .expect(200);
    let (_, html) = get(&app, &olivia, &page).await;
    assert!(!html.contains("HTTP 503 for 3 days"), "{html}");
}

#[tokio::test]
async fn the_delivery_log_shows_twenty_deliveries_a_page_newest_first() {
    // No courier here: every delivery stays pending, so the log's length is known.
    let app = spawn_preset("operations").await;
    let acme = app.signup("olivia@example.com", "Acme").await;
    let hooks = format!("/api/v1/orgs/{}/webhooks", acme.id);
    let made = app
        .post(
            &hooks,
            &acme.owner.token,
            serde_json::json!({"url": "https://hooks.example.com/in", "event_types": ["member.invited"]}),
        )
        .await
        .expect(201);
    let id = made["id"].as_str().unwrap();
    for n in 0..25 {
        app.post(
            &format!("/api/v1/orgs/{}/invitations", acme.id),
            &acme.owner.token,
            serde_json::json!({"email": format!("p{n}@example.com"), "role": "viewer"}),
        )
        .await
        .expect(201);
    }
    let olivia = session(&app, "olivia@example.com").await;
    let log = format!("/orgs/{}/settings/webhooks/{id}", acme.id);
    let (status, first) = get(&app, &olivia, &log).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let seqs = |html: &str| -> Vec<i64> {
        html.split("data-seq=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
            .collect()
    };
    let page_one = seqs(&first);
    assert_eq!(page_one.len(), 20, "{first}");
    assert!(page_one.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(first.contains("href=\"?page=2\""), "an Older link");
    let (_, second) = get(&app, &olivia, &format!("{log}?page=2")).await;
    let page_two = seqs(&second);
    assert_eq!(page_two.len(), 5, "{second}");
    assert!(page_two[0] < page_one[19]);
    assert!(second.contains("href=\"?page=1\""), "a Newer link");
}
