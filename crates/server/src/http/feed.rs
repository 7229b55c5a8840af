//! The event feed: a page of events after a `seq` (JSON, long-polled with
//! `wait`), or with `Accept: text/event-stream` every event as it is committed
//! (Server-Sent Events, resumable with `Last-Event-ID`). The use cases are
//! `Steward::events` and `Steward::follow_events`.

use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, Caller};
use crate::application::feed::{resume_after, FeedPage, FeedQuery};
use crate::application::Application;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::StreamExt;
use std::time::Duration;

/// How often an idle stream sends a comment, so proxies keep it open and a
/// client notices a dead connection.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Served outside the request timeout: a long-poll bounds its own wait, and a
/// stream lasts as long as its client follows it.
pub fn router() -> Router<Application> {
    Router::new().route("/api/v1/orgs/{org}/events", get(list))
}

#[utoipa::path(get, operation_id = "listEvents", path = "/api/v1/orgs/{org}/events", tag = "audit",
    params(("org" = String, Path), FeedQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "with text/event-stream: resume after this seq")),
    responses(
        (status = 200, description = "the events after `after`, oldest first; with `Accept: text/event-stream`, \
            a stream of `id: SEQ` / `data: ChainedEvent` messages", body = FeedPage,
            content((FeedPage = "application/json"), (String = "text/event-stream"))),
        (status = 400), (status = 403), (status = 404)))]
pub(crate) async fn list(
    State(app): State<Application>,
    caller: Caller,
    ApiPath(org): ApiPath<String>,
    ApiQuery(q): ApiQuery<FeedQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let org = app.steward.in_org(caller, &org)?;
    if !wants_stream(&headers) {
        return Ok(Json(app.steward.events(&org, q).await?).into_response());
    }
    let last_event_id = headers
        .get("last-event-id")
        .map(|v| v.to_str().unwrap_or("not text"));
    let after = resume_after(last_event_id, q.after)?;
    let events = app.steward.follow_events(&org, after)?.map(|event| {
        let id = event.entry.seq.to_string();
        Event::default().id(id).json_data(&event)
    });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // A reverse proxy (nginx) that buffers answers would hold events back.
    response.headers_mut().insert(
        header::HeaderName::from_static("x-accel-buffering"),
        header::HeaderValue::from_static("no"),
    );
    Ok(response)
}

fn wants_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"))
}
