//! A file download as both adapters answer it (the API's export endpoints and the
//! console's Export buttons): its type, a file name to save it under, and the
//! body streamed chunk by chunk.

use crate::application::exports::Export;
use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;

pub fn attachment(export: Export) -> Response {
    let mut response = Response::new(Body::from_stream(export.chunks));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(export.format.content_type()),
    );
    // Ids are letters, digits, '-', '_' and '.': the name needs no escaping.
    let disposition = format!("attachment; filename=\"{}\"", export.filename);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
