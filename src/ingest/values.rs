//! JSON values as the text of one field: scalars (strings, numbers, `{"rendered": …}`
//! objects), bodies (a string, a list of paragraphs, an object with a text key), dates
//! (`{"$date": …}`), URLs, people and tags (strings split on their separators, lists,
//! objects with a `name`) and sources. A value of the wrong type is `Err(kind)`, which
//! the callers turn into a record error.
//!
//! Used by the field mapper (`fields`) and by JSON-LD (`html::meta`). It does not know
//! which key holds which field (see `fields`) and does not strip HTML.

use serde_json::Value;

use crate::text::lists::{Entities, split_people, split_tags};
use crate::text::non_empty;

/// "a string", "a number", … for error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Keys that carry the text of an object used where text is expected
/// (`{"rendered": "…"}` from WordPress, `{"name": "…"}`, `{"@id": "…"}`).
const INNER_TEXT_KEYS: &[&str] = &[
    "rendered", "name", "text", "value", "#text", "content", "$t", "href", "url", "@id", "title",
    "label",
];

fn number_text(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (_, Some(u), _) => u.to_string(),
        (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// Text of a scalar value: strings and numbers; objects through their text key.
/// `Err(kind)` for values that cannot be text.
pub(crate) fn scalar_text(v: &Value) -> Result<Option<String>, &'static str> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(non_empty(s)),
        Value::Number(n) => Ok(Some(number_text(n))),
        Value::Object(o) => match INNER_TEXT_KEYS.iter().find_map(|k| o.get(*k)) {
            Some(inner @ (Value::String(_) | Value::Number(_) | Value::Null)) => scalar_text(inner),
            _ => Err(kind(v)),
        },
        other => Err(kind(other)),
    }
}

/// Body text: a string, a list of paragraphs, or an object with a text key.
pub(crate) fn body_text(v: &Value) -> Result<Option<String>, &'static str> {
    match v {
        Value::Array(items) => {
            let mut paras = Vec::new();
            for it in items {
                if let Some(t) = scalar_text(it).map_err(|_| "a list of non-text values")? {
                    paras.push(t);
                }
            }
            Ok((!paras.is_empty()).then(|| paras.join("\n\n")))
        }
        Value::Object(o) => {
            for k in [
                "rendered", "html", "text", "body", "content", "value", "#text",
            ] {
                if let Some(inner) = o.get(k) {
                    return body_text(inner);
                }
            }
            Err(kind(v))
        }
        other => scalar_text(other),
    }
}

/// A date as a string: text, unix seconds/milliseconds, `{"$date": …}`.
pub(crate) fn date_text(v: &Value) -> Result<Option<String>, &'static str> {
    match v {
        Value::Object(o) => match o
            .get("$date")
            .or_else(|| o.get("$numberLong"))
            .or_else(|| o.get("value"))
        {
            Some(inner) => date_text(inner),
            None => Err(kind(v)),
        },
        other => scalar_text(other),
    }
}

/// URL from text or an object with `href`/`url`/`@id`; entities decoded.
pub(crate) fn url_text(v: &Value) -> Result<Option<String>, &'static str> {
    Ok(scalar_text(v)?.map(|u| html_escape::decode_html_entities(&u).trim().to_string()))
}

/// People: a string (`By A, B and C`), a list, or objects with `name`.
pub(crate) fn authors_of(v: &Value) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    match v {
        Value::Null => {}
        Value::String(s) => out.extend(split_people(s)),
        Value::Array(items) => {
            for it in items {
                match it {
                    Value::String(s) => out.extend(split_people(s)),
                    Value::Object(_) => out.extend(person_object_name(it)?),
                    Value::Null => {}
                    other => return Err(kind(other)),
                }
            }
        }
        Value::Object(_) => out.extend(person_object_name(v)?),
        other => return Err(kind(other)),
    }
    Ok(out)
}

/// The name of a person object: `name`, `displayName`, `fullName`, … or `givenName`
/// with `familyName` (feeds write people as text instead, see `feed::person_name`).
fn person_object_name(v: &Value) -> Result<Option<String>, &'static str> {
    let Value::Object(o) = v else {
        return Err(kind(v));
    };
    for k in [
        "name",
        "displayName",
        "fullName",
        "display_name",
        "full_name",
        "title",
    ] {
        if let Some(Value::String(s)) = o.get(k) {
            return Ok(non_empty(s));
        }
    }
    let given = o.get("givenName").and_then(Value::as_str).unwrap_or("");
    let family = o.get("familyName").and_then(Value::as_str).unwrap_or("");
    Ok(non_empty(&format!("{given} {family}")))
}

/// Tags: a string split on `,` `|` `;`, a list of strings, or objects with `name`.
pub(crate) fn tags_of(v: &Value) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    match v {
        Value::Null => {}
        Value::String(s) => out.extend(split_tags(s, Entities::Decode)),
        Value::Number(n) => out.push(number_text(n)),
        Value::Array(items) => {
            for it in items {
                match it {
                    Value::String(s) => out.extend(non_empty(s)),
                    Value::Number(n) => out.push(number_text(n)),
                    Value::Object(_) => out.extend(tag_name(it)?),
                    Value::Null => {}
                    other => return Err(kind(other)),
                }
            }
        }
        Value::Object(_) => out.extend(tag_name(v)?),
        Value::Bool(_) => return Err(kind(v)),
    }
    Ok(out)
}

fn tag_name(v: &Value) -> Result<Option<String>, &'static str> {
    let Value::Object(o) = v else {
        return Err(kind(v));
    };
    for k in ["name", "label", "term", "title", "slug", "value"] {
        if let Some(Value::String(s)) = o.get(k) {
            return Ok(non_empty(s));
        }
    }
    Err(kind(v))
}

/// Source: text, or an object with `name`/`title`/`domain`/`url`.
pub(crate) fn source_text(v: &Value) -> Result<Option<String>, &'static str> {
    match v {
        Value::Object(o) => {
            for k in ["name", "title", "domain", "url", "@id", "id"] {
                if let Some(inner @ Value::String(_)) = o.get(k) {
                    return scalar_text(inner);
                }
            }
            Err(kind(v))
        }
        other => scalar_text(other),
    }
}
