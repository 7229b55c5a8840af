//! A QR code drawn as SVG, on the server: the console's CSP forbids inline
//! script and loads no library, so the enrolment page shows this image
//! (docs/two-factor.md#enrolment).

use qrcodegen::{QrCode, QrCodeEcc};
use std::fmt::Write as _;

/// `text` as an SVG QR code (black modules on white, a 4-module quiet zone),
/// or `None` when it is too long for a QR code.
pub fn svg(text: &str, title: &str) -> Option<String> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let border = 4;
    let size = qr.size() + border * 2;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                let _ = write!(path, "M{},{}h1v1h-1z", x + border, y + border);
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         role=\"img\" aria-label=\"{title}\" shape-rendering=\"crispEdges\">\
         <title>{title}</title>\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_otpauth_uri_becomes_an_svg_with_its_title() {
        let svg = super::svg("otpauth://totp/Steward:ann%40acme.test?secret=ABC", "QR")
            .unwrap_or_default();
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.contains("<title>QR</title>"));
        assert!(svg.contains("<path d=\"M"));
    }
}
