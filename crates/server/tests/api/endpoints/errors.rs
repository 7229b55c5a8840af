//! Every answer in the error shape `{"error": {code, reason, message}}`, whatever
//! refused the request: a body over the limit, a path or query that does not
//! decode, as much as a rule.

use super::*;

/// Over the 2 MiB a body may have (the CSV import has its own limit).
fn oversized_json() -> Vec<u8> {
    let mut body = br#"{"user_id": ""#.to_vec();
    body.resize(3 << 20, b'a');
    body.extend_from_slice(br#"", "action": "org:view", "object_id": "x"}"#);
    body
}

#[track_caller]
fn in_shape(answer: &Answer, status: u16, reason: &str) {
    answer.refused(status, reason);
    let error = &answer.body["error"];
    assert!(error["code"].is_string(), "{}", answer.body);
    assert!(
        error["message"].as_str().is_some_and(|m| m.len() > 10),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_body_over_2_mib_is_413_body_too_large_on_the_check_the_batch_and_accept() {
    let t = operations().await;
    let key = t.app.api_key(&t.org, &t.owner).await;
    for path in ["/check", "/check/batch"] {
        let answer = send(
            &t.app,
            Method::POST,
            &at(&t.org, path),
            &key,
            "application/json",
            oversized_json(),
        )
        .await;
        in_shape(&answer, 413, "body_too_large");
        assert_eq!(answer.body["error"]["code"], "INVALID");
        assert!(answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 MiB"));
    }
    // A JSON body read by the API's own extractor says the same.
    let answer = send(
        &t.app,
        Method::POST,
        &at(&t.org, "/objects"),
        &t.owner.token,
        "application/json",
        oversized_json(),
    )
    .await;
    in_shape(&answer, 413, "body_too_large");
    let inv = invite(&t.app, &t.org, &t.owner, json!({"email": "new@acme.test"})).await;
    let path = format!("/api/v1/invitations/{}/accept", text(&inv["token"]));
    in_shape(
        &anonymous(&t.app, &path, oversized_json()).await,
        413,
        "body_too_large",
    );
}

/// A POST without credentials, as an invitee sends it.
async fn anonymous(app: &TestApp, path: &str, body: Vec<u8>) -> Answer {
    let response = app
        .http
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

#[tokio::test]
async fn a_body_sent_without_a_length_is_cut_at_2_mib_with_the_same_answer() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = operations().await;
    let key = t.app.api_key(&t.org, &t.owner).await;
    let stream = tokio::net::TcpStream::connect(t.app.addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST {} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {key}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        at(&t.org, "/check"),
        t.app.addr
    );
    // The server may answer and close before the last chunk: writing stops there.
    let sender = tokio::spawn(async move {
        write.write_all(head.as_bytes()).await?;
        for chunk in oversized_json().chunks(64 * 1024) {
            write
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            write.write_all(chunk).await?;
            write.write_all(b"\r\n").await?;
        }
        write.write_all(b"0\r\n\r\n").await
    });
    let mut answer = Vec::new();
    let _ = read.read_to_end(&mut answer).await;
    let _ = sender.await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/json"), "{answer}");
    assert!(answer.contains(r#""reason":"body_too_large""#), "{answer}");
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_is_400_path_in_the_error_shape() {
    let t = operations().await;
    for path in [
        "/api/v1/orgs/%FF%FE/members".to_string(),
        at(&t.org, "/members/%C3"),
        at(&t.org, "/objects/%80/permissions"),
    ] {
        let answer = t.app.get(&path, &t.owner.token).await;
        in_shape(&answer, 400, "path");
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("UTF-8"),
            "{}",
            answer.body
        );
    }
    // Where the path holds a secret (an invitation's token) too.
    let answer = send(
        &t.app,
        Method::POST,
        "/api/v1/invitations/%FF/accept",
        "",
        "application/json",
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body["error"]["code"], "INVALID", "{}", answer.body);
}

#[tokio::test]
async fn a_query_that_does_not_parse_or_is_not_utf8_is_400_query() {
    let t = operations().await;
    for query in [
        "/members?limit=many",
        "/members?cursor=%FF",
        "/audit?actor=%FF%FEjoe",
        "/objects?type=%C3",
    ] {
        let answer = t.app.get(&at(&t.org, query), &t.owner.token).await;
        in_shape(&answer, 400, "query");
    }
}
