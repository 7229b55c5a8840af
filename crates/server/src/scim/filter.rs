//! SCIM filters (RFC 7644 §3.4.2.2): parsed into a tree, then matched against a
//! resource as its JSON renders it, so a filter sees exactly what a GET shows.
//! Used by list queries and by PATCH paths (`members[value eq "..."]`).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Present(String),
    Compare(String, Op, Value),
    /// `emails[type eq "work"]`: some element of the multi-valued attribute matches.
    ValuePath(String, Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// Why a filter did not parse, in words for the `invalidFilter` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

fn tokens(text: &str) -> Result<Vec<Token>, FilterError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' | '\n' => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    '[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                });
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e) => s.push(e),
                            None => return Err(FilterError("a string ends after \\".into())),
                        },
                        Some(c) => s.push(c),
                        None => return Err(FilterError("a string is not closed".into())),
                    }
                }
                out.push(Token::Text(s));
            }
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if matches!(c, ' ' | '\t' | '\n' | '(' | ')' | '[' | ']' | '"') {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                out.push(Token::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.next();
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.next();
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        if self.keyword("not") {
            self.next();
            return Ok(Filter::Not(Box::new(self.group()?)));
        }
        if self.peek() == Some(&Token::Open) {
            return self.group();
        }
        self.attribute()
    }

    fn group(&mut self) -> Result<Filter, FilterError> {
        if self.next() != Some(Token::Open) {
            return Err(FilterError("expected (".into()));
        }
        let inner = self.or()?;
        if self.next() != Some(Token::Close) {
            return Err(FilterError("a ( is not closed".into()));
        }
        Ok(inner)
    }

    fn attribute(&mut self) -> Result<Filter, FilterError> {
        let path = match self.next() {
            Some(Token::Word(w)) => w,
            other => {
                return Err(FilterError(format!(
                    "expected an attribute, found {other:?}"
                )))
            }
        };
        if self.peek() == Some(&Token::OpenBracket) {
            self.next();
            let inner = self.or()?;
            if self.next() != Some(Token::CloseBracket) {
                return Err(FilterError("a [ is not closed".into()));
            }
            return Ok(Filter::ValuePath(path, Box::new(inner)));
        }
        let op = match self.next() {
            Some(Token::Word(w)) => w.to_ascii_lowercase(),
            _ => return Err(FilterError(format!("expected an operator after {path}"))),
        };
        let op = match op.as_str() {
            "pr" => return Ok(Filter::Present(path)),
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => return Err(FilterError(format!("unknown operator {other}"))),
        };
        let value = match self.next() {
            Some(Token::Text(s)) => Value::String(s),
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => serde_json::from_str::<serde_json::Number>(&w)
                    .map(Value::Number)
                    .map_err(|_| FilterError(format!("{w} is not a value")))?,
            },
            _ => return Err(FilterError(format!("expected a value after {path}"))),
        };
        Ok(Filter::Compare(path, op, value))
    }
}

pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let mut parser = Parser {
        tokens: tokens(text)?,
        at: 0,
    };
    let filter = parser.or()?;
    if parser.at < parser.tokens.len() {
        return Err(FilterError("unexpected text after the filter".into()));
    }
    Ok(filter)
}

/// The value of a filter that is only `userName eq "..."` (a directory's lookup).
pub fn user_name_eq(text: &str) -> Option<String> {
    match parse(text).ok()? {
        Filter::Compare(path, Op::Eq, Value::String(name)) => {
            let steps = steps(&path);
            (steps.len() == 1 && steps[0].eq_ignore_ascii_case("userName")).then_some(name)
        }
        _ => None,
    }
}

/// The attribute part of a path, without a schema URN in front
/// (`urn:ietf:params:scim:schemas:core:2.0:User:userName` is `userName`);
/// an extension's attribute keeps its URN as the first step.
pub fn steps(path: &str) -> Vec<String> {
    if path.to_ascii_lowercase().starts_with("urn:") {
        if let Some((urn, attr)) = path.rsplit_once(':') {
            let core = urn.to_ascii_lowercase().contains(":core:2.0:");
            let mut out: Vec<String> = if core { vec![] } else { vec![urn.to_string()] };
            out.extend(attr.split('.').map(str::to_string));
            return out;
        }
    }
    path.split('.').map(str::to_string).collect()
}

/// The member of an object named `key`, ignoring case (SCIM attribute names are).
pub fn field<'v>(object: &'v Value, key: &str) -> Option<&'v Value> {
    let map = object.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Every value at `path` (through multi-valued attributes, flattened).
fn values<'v>(resource: &'v Value, path: &[String]) -> Vec<&'v Value> {
    let mut current = vec![resource];
    for step in path {
        let mut next = Vec::new();
        for v in current {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for item in items {
                if let Some(found) = field(item, step) {
                    match found {
                        Value::Array(a) => next.extend(a.iter()),
                        other => next.push(other),
                    }
                }
            }
        }
        current = next;
    }
    current
}

/// Attributes compared with case: ids (RFC 7643 gives `caseExact` for them).
fn case_exact(path: &[String]) -> bool {
    path.last()
        .is_some_and(|a| a.eq_ignore_ascii_case("id") || a.eq_ignore_ascii_case("externalId"))
        || path
            .first()
            .is_some_and(|a| a.eq_ignore_ascii_case("members"))
}

fn compare(found: &Value, op: Op, wanted: &Value, exact: bool) -> bool {
    match (found, wanted) {
        (Value::String(f), Value::String(w)) => {
            let (f, w) = if exact {
                (f.clone(), w.clone())
            } else {
                (f.to_lowercase(), w.to_lowercase())
            };
            match op {
                Op::Eq => f == w,
                Op::Ne => f != w,
                Op::Co => f.contains(&w),
                Op::Sw => f.starts_with(&w),
                Op::Ew => f.ends_with(&w),
                Op::Gt => f > w,
                Op::Ge => f >= w,
                Op::Lt => f < w,
                Op::Le => f <= w,
            }
        }
        (Value::Bool(f), _) => {
            let w = match wanted {
                Value::Bool(b) => Some(*b),
                Value::String(s) => s.parse::<bool>().ok(),
                _ => None,
            };
            match op {
                Op::Eq => Some(*f) == w,
                Op::Ne => Some(*f) != w,
                _ => false,
            }
        }
        (Value::Number(f), Value::Number(w)) => {
            let (f, w) = (f.as_f64().unwrap_or(0.0), w.as_f64().unwrap_or(0.0));
            match op {
                Op::Eq => f == w,
                Op::Ne => f != w,
                Op::Gt => f > w,
                Op::Ge => f >= w,
                Op::Lt => f < w,
                Op::Le => f <= w,
                _ => false,
            }
        }
        _ => op == Op::Ne,
    }
}

/// Whether the resource (or one element of a multi-valued attribute) matches.
pub fn matches(filter: &Filter, resource: &Value) -> bool {
    match filter {
        Filter::And(a, b) => matches(a, resource) && matches(b, resource),
        Filter::Or(a, b) => matches(a, resource) || matches(b, resource),
        Filter::Not(f) => !matches(f, resource),
        Filter::Present(path) => values(resource, &steps(path)).iter().any(|v| {
            !v.is_null() && v.as_str() != Some("") && v.as_array().is_none_or(|a| !a.is_empty())
        }),
        Filter::Compare(path, op, wanted) => {
            let path = steps(path);
            let found = values(resource, &path);
            if found.is_empty() {
                return *op == Op::Ne && !wanted.is_null();
            }
            let exact = case_exact(&path);
            if *op == Op::Ne {
                found.iter().all(|f| compare(f, Op::Ne, wanted, exact))
            } else {
                found.iter().any(|f| compare(f, *op, wanted, exact))
            }
        }
        Filter::ValuePath(path, inner) => values(resource, &steps(path))
            .iter()
            .any(|element| matches(inner, element)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "userName": "Ann.Lee@Acme.test",
            "externalId": "00u1",
            "displayName": "Ann Lee",
            "active": true,
            "emails": [{"value": "ann.lee@acme.test", "type": "work", "primary": true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"}
        })
    }

    fn yes(text: &str) -> bool {
        matches(&parse(text).unwrap(), &user())
    }

    #[test]
    fn user_name_matches_without_case_and_external_id_with_it() {
        assert!(yes(r#"userName eq "ann.lee@acme.test""#));
        assert!(yes(r#"USERNAME Eq "ANN.LEE@ACME.TEST""#));
        assert!(yes(r#"externalId eq "00u1""#));
        assert!(!yes(r#"externalId eq "00U1""#));
    }

    #[test]
    fn every_operator_and_logic_reads_as_the_rfc_says() {
        assert!(yes(r#"displayName co "n L""#));
        assert!(yes(r#"displayName sw "ann""#));
        assert!(yes(r#"displayName ew "lee""#));
        assert!(yes(r#"displayName ne "Bob""#));
        assert!(yes("externalId pr"));
        assert!(!yes("title pr"));
        assert!(yes(
            r#"emails.value eq "ann.lee@acme.test" and active eq true"#
        ));
        assert!(yes(
            r#"userName eq "x" or emails[type eq "work" and value co "ann"]"#
        ));
        assert!(yes(r#"not (userName eq "x")"#));
        assert!(yes(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales""#
        ));
        assert!(yes(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ann""#
        ));
    }

    #[test]
    fn a_lookup_by_user_name_is_told_apart() {
        assert_eq!(
            user_name_eq(r#"userName eq "A@x.test""#).as_deref(),
            Some("A@x.test")
        );
        assert_eq!(
            user_name_eq(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a""#)
                .as_deref(),
            Some("a")
        );
        assert_eq!(user_name_eq(r#"userName eq "a" or userName eq "b""#), None);
        assert_eq!(user_name_eq(r#"userName co "a""#), None);
    }

    #[test]
    fn a_broken_filter_says_where() {
        for bad in [
            r#"userName eq"#,
            r#"userName zz "a""#,
            r#"(userName eq "a""#,
            r#"userName eq "a"#,
            r#"userName eq "a" extra"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
