//! The request span's fields formatted for the log only when the log writes a
//! line inside that span. The log layer (tracing-subscriber's `fmt`) formats
//! every new span's fields into a `String` as the span is made, so each request
//! paid for `method=POST route=... request_id=...` although, at the default
//! `info` level, nothing inside a successful request is logged
//! (docs/benchmarks.md "Server CPU per HTTP check, second pass").
//!
//! `Deferred` wraps the log layer. The `request` span records its fields as
//! text (`&str`, not `%value`): they are copied, not formatted, into one
//! buffer, and the first event written inside the span (or a `record` on it)
//! has them formatted by the log layer's own `FormatFields`, each value as
//! `display`, exactly as `%value` was, so the lines read as before. Any other
//! span goes straight to the log layer. On a terminal (ANSI colours) the fields
//! are formatted at once, by the log layer itself, as before.

use std::fmt;
use tracing::field::{display, DisplayValue, Field, Value, ValueSet, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::fmt::{FormatFields, FormattedFields};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// The span whose fields wait (made in `app/bookkeeping.rs`).
pub const REQUEST_SPAN: &str = "request";

/// The most fields a deferred span carries.
const MOST_FIELDS: usize = 4;

/// The log layer `inner`, whose fields are formatted by `fields` (the same
/// `FormatFields` as `inner`'s: `DefaultFields` or `JsonFields`).
pub struct Deferred<L, N> {
    inner: L,
    fields: N,
    defer: bool,
}

impl<L, N> Deferred<L, N> {
    /// Wraps `inner`; `ansi` is whether it paints its output.
    pub fn new(inner: L, fields: N, ansi: bool) -> Self {
        Deferred {
            inner,
            fields,
            defer: !ansi,
        }
    }
}

/// A deferred span's text fields, copied: each field with where its text ends.
struct Waiting {
    text: String,
    fields: [Option<(Field, usize)>; MOST_FIELDS],
}

/// Copies a span's fields while they are all text.
struct Copying {
    waiting: Waiting,
    count: usize,
    all_text: bool,
}

impl Visit for Copying {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.count == MOST_FIELDS {
            self.all_text = false;
            return;
        }
        self.waiting.text.push_str(value);
        self.waiting.fields[self.count] = Some((field.clone(), self.waiting.text.len()));
        self.count += 1;
    }

    fn record_debug(&mut self, _: &Field, _: &dyn fmt::Debug) {
        self.all_text = false;
    }
}

impl Waiting {
    /// Runs `with` on the fields as a `%value` span would have recorded them:
    /// each text as `display`.
    fn replay<R>(
        &self,
        metadata: &'static Metadata<'static>,
        with: impl FnOnce(&ValueSet<'_>) -> R,
    ) -> Option<R> {
        let mut texts: [Option<DisplayValue<&str>>; MOST_FIELDS] = [None, None, None, None];
        let mut start = 0;
        for (i, (_, end)) in self.fields.iter().flatten().enumerate() {
            texts[i] = Some(display(self.text.get(start..*end)?));
            start = *end;
        }
        // Unused slots name the span's first field with no value: skipped.
        let placeholder = metadata.fields().iter().next()?;
        let mut values: [(&Field, Option<&dyn Value>); MOST_FIELDS] =
            [(&placeholder, None); MOST_FIELDS];
        for (slot, ((field, _), text)) in values
            .iter_mut()
            .zip(self.fields.iter().flatten().zip(&texts))
        {
            *slot = (field, text.as_ref().map(|t| t as &dyn Value));
        }
        Some(with(&metadata.fields().value_set(&values)))
    }

    /// The fields as the log layer formats them when a span is made.
    fn format<N: for<'w> FormatFields<'w> + 'static>(
        &self,
        metadata: &'static Metadata<'static>,
        fields: &N,
    ) -> Option<FormattedFields<N>> {
        let mut formatted = FormattedFields::<N>::new(String::new());
        self.replay(metadata, |set| {
            fields.format_fields(formatted.as_writer(), Record::new(set))
        })?
        .ok()?;
        Some(formatted)
    }
}

impl<S, L, N> Layer<S> for Deferred<L, N>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    L: Layer<S>,
    N: for<'w> FormatFields<'w> + Send + Sync + 'static,
{
    fn on_register_dispatch(&self, subscriber: &tracing::Dispatch) {
        self.inner.on_register_dispatch(subscriber);
    }

    fn on_layer(&mut self, subscriber: &mut S) {
        self.inner.on_layer(subscriber);
    }

    fn register_callsite(
        &self,
        metadata: &'static Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        self.inner.register_callsite(metadata)
    }

    fn enabled(&self, metadata: &Metadata<'_>, ctx: Context<'_, S>) -> bool {
        self.inner.enabled(metadata, ctx)
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let metadata = attrs.metadata();
        if metadata.name() != REQUEST_SPAN {
            return self.inner.on_new_span(attrs, id, ctx);
        }
        let mut copying = Copying {
            waiting: Waiting {
                text: String::with_capacity(128),
                fields: [None, None, None, None],
            },
            count: 0,
            all_text: true,
        };
        attrs.record(&mut copying);
        if !copying.all_text {
            return self.inner.on_new_span(attrs, id, ctx);
        }
        if self.defer {
            if let Some(span) = ctx.span(id) {
                span.extensions_mut().insert(copying.waiting);
            }
            return;
        }
        // Formatted now, by the log layer, from the values as `%value`.
        copying.waiting.replay(metadata, |set| {
            let attrs = if attrs.is_root() {
                Attributes::new_root(metadata, set)
            } else if let Some(parent) = attrs.parent() {
                Attributes::child_of(parent.clone(), metadata, set)
            } else {
                Attributes::new(metadata, set)
            };
            self.inner.on_new_span(&attrs, id, ctx);
        });
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        self.inner.max_level_hint()
    }

    fn on_record(&self, span: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        self.format_waiting(span, &ctx);
        self.inner.on_record(span, values, ctx);
    }

    fn on_follows_from(&self, span: &Id, follows: &Id, ctx: Context<'_, S>) {
        self.inner.on_follows_from(span, follows, ctx);
    }

    fn event_enabled(&self, event: &Event<'_>, ctx: Context<'_, S>) -> bool {
        self.inner.event_enabled(event, ctx)
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if self.defer {
            if let Some(scope) = ctx.event_scope(event) {
                for span in scope {
                    self.format_waiting(&span.id(), &ctx);
                }
            }
        }
        self.inner.on_event(event, ctx);
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        self.inner.on_enter(id, ctx);
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        self.inner.on_exit(id, ctx);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        self.inner.on_close(id, ctx);
    }

    fn on_id_change(&self, old: &Id, new: &Id, ctx: Context<'_, S>) {
        self.inner.on_id_change(old, new, ctx);
    }
}

impl<L, N: for<'w> FormatFields<'w> + 'static> Deferred<L, N> {
    /// Formats the fields of span `id` if they still wait, and leaves them where
    /// the log layer keeps a span's fields.
    fn format_waiting<S>(&self, id: &Id, ctx: &Context<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        let Some(waiting) = extensions.remove::<Waiting>() else {
            return;
        };
        if let Some(formatted) = waiting.format(span.metadata(), &self.fields) {
            extensions.insert(formatted);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::fmt::format::{DefaultFields, JsonFields};
    use tracing_subscriber::layer::SubscriberExt;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Lines {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    /// A request span as the server makes it, with a line inside it.
    fn request_with_text_fields() {
        let span = tracing::info_span!(
            REQUEST_SPAN,
            method = "POST",
            route = "/api/v1/orgs/{org}/check",
            request_id = "0b7c"
        );
        let _in = span.enter();
        tracing::info!(status = 200, "inside the request");
    }

    /// The same span as it was made before, its fields as `%value`.
    fn request_with_display_fields() {
        let span = tracing::info_span!(
            REQUEST_SPAN,
            method = %"POST",
            route = %"/api/v1/orgs/{org}/check",
            request_id = %"0b7c"
        );
        let _in = span.enter();
        tracing::info!(status = 200, "inside the request");
    }

    fn written(subscriber: impl Subscriber + Send + Sync, request: fn()) {
        tracing::subscriber::with_default(subscriber, request);
    }

    #[test]
    fn a_line_inside_a_deferred_request_span_reads_as_with_the_span_formatted_at_once() {
        let (deferred, before) = (Lines::default(), Lines::default());
        for ansi in [false, true] {
            let d = deferred.clone();
            let logs = tracing_subscriber::fmt::layer()
                .with_writer(move || d.clone())
                .with_ansi(ansi)
                .without_time();
            written(
                tracing_subscriber::registry().with(Deferred::new(
                    logs,
                    DefaultFields::new(),
                    ansi,
                )),
                request_with_text_fields,
            );
            let b = before.clone();
            let logs = tracing_subscriber::fmt::layer()
                .with_writer(move || b.clone())
                .with_ansi(ansi)
                .without_time();
            written(
                tracing_subscriber::registry().with(logs),
                request_with_display_fields,
            );
        }
        assert!(
            deferred
                .text()
                .contains("request{method=POST route=/api/v1/orgs/{org}/check request_id=0b7c}: "),
            "{}",
            deferred.text()
        );
        assert!(deferred.text().contains("\x1b["), "the second run paints");
        assert_eq!(deferred.text(), before.text());
    }

    #[test]
    fn a_json_line_inside_a_deferred_request_span_reads_as_before() {
        let (deferred, before) = (Lines::default(), Lines::default());
        let d = deferred.clone();
        let logs = tracing_subscriber::fmt::layer()
            .json()
            .with_writer(move || d.clone())
            .without_time();
        written(
            tracing_subscriber::registry().with(Deferred::new(logs, JsonFields::new(), false)),
            request_with_text_fields,
        );
        let b = before.clone();
        let logs = tracing_subscriber::fmt::layer()
            .json()
            .with_writer(move || b.clone())
            .without_time();
        written(
            tracing_subscriber::registry().with(logs),
            request_with_display_fields,
        );
        assert!(
            deferred.text().contains("\"request_id\":\"0b7c\""),
            "{}",
            deferred.text()
        );
        assert_eq!(deferred.text(), before.text());
    }
}
