//! Form bodies and query strings (`application/x-www-form-urlencoded`) decoded
//! as browsers encode them, refusing text that is not UTF-8: what the API's
//! query strings and the console's forms share.

/// A form or query string (`application/x-www-form-urlencoded`) as its pairs, in
/// order: `+` is a space and `%XX` a byte, as browsers send them. Unlike
/// `form_urlencoded`, which puts U+FFFD for bytes that are not UTF-8 (so
/// `%FF%FEjoe@x.test` would become an address nobody typed), text that is not
/// UTF-8 is refused.
pub fn form_pairs(input: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    let mut pairs = Vec::new();
    for field in input.split(|&b| b == b'&').filter(|f| !f.is_empty()) {
        let (name, value) = match field.iter().position(|&b| b == b'=') {
            Some(i) => (&field[..i], &field[i + 1..]),
            None => (field, &field[field.len()..]),
        };
        let name = form_text(name).map_err(|()| FormError::NotUtf8 { field: None })?;
        let value = form_text(value).map_err(|()| FormError::NotUtf8 {
            field: Some(name.clone()),
        })?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Why a form was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("{}is not UTF-8 text once percent-decoded", .field.as_ref().map_or(String::new(), |f| format!("field {f:?} ")))]
    NotUtf8 { field: Option<String> },
}

/// One name or value, decoded.
fn form_text(raw: &[u8]) -> Result<String, ()> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => match (raw.get(i + 1).and_then(hex), raw.get(i + 2).and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    bytes.push(hi << 4 | lo);
                    i += 2;
                }
                // A '%' not followed by two hex digits is itself, as browsers read it.
                _ => bytes.push(b'%'),
            },
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| ())
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(input: &str) -> Vec<(String, String)> {
        form_pairs(input.as_bytes()).unwrap()
    }

    #[test]
    fn a_form_decodes_as_browsers_encode_it() {
        assert_eq!(
            pairs("a=1&b=x+y&c=%C3%A9t%C3%A9&d&=e&&f=%zz%4"),
            [
                ("a", "1"),
                ("b", "x y"),
                ("c", "été"),
                ("d", ""),
                ("", "e"),
                ("f", "%zz%4")
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert_eq!(pairs("email=ann%2Bx%40y.test")[0].1, "ann+x@y.test");
        assert!(pairs("").is_empty());
    }

    #[test]
    fn a_form_with_text_that_is_not_utf8_is_refused_naming_the_field() {
        assert_eq!(
            form_pairs(b"csrf=x&email=%FF%FEjoe@x.test"),
            Err(FormError::NotUtf8 {
                field: Some("email".into())
            })
        );
        // Raw bytes count as much as escaped ones, in names as in values.
        assert!(form_pairs(b"email=jo\xffe").is_err());
        assert!(form_pairs(b"email=jo\xc3").is_err());
        assert_eq!(
            form_pairs(b"%C3=1"),
            Err(FormError::NotUtf8 { field: None })
        );
        assert_eq!(
            FormError::NotUtf8 {
                field: Some("email".into())
            }
            .to_string(),
            "field \"email\" is not UTF-8 text once percent-decoded"
        );
    }
}
