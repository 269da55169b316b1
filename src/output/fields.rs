//! `--fields`: which keys (JSON, NDJSON) or columns (CSV, TSV) a listing writes, the
//! projection of an object onto them, the CSV cells of a hit, and the one mapping of
//! serializer errors back to I/O errors that keeps a closed pipe a `BrokenPipe` (so
//! `coindex … | head` exits quietly).

use std::io;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::error::{Error, Result};

/// Every key of a hit object, in wire order (the values `--fields` accepts).
pub const HIT_FIELDS: &[&str] = &[
    "rank",
    "score",
    "id",
    "title",
    "published",
    "updated",
    "tags",
    "source",
    "url",
    "path",
    "snippet",
    "highlights",
    "story",
    "story_size",
    "story_sources",
];

/// The CSV/TSV columns when `--fields` is not given.
pub const CSV_COLUMNS: &[&str] = &[
    "rank",
    "score",
    "id",
    "title",
    "published",
    "source",
    "tags",
    "url",
    "path",
    "snippet",
];

/// Validates `--fields` against the keys of a shape: unknown names are an error that
/// lists the valid ones; empty entries are ignored and repeats are dropped.
pub(crate) fn parse_fields(
    requested: &[String],
    valid: &[&'static str],
) -> Result<Option<Vec<&'static str>>> {
    if requested.is_empty() {
        return Ok(None);
    }
    let mut out: Vec<&'static str> = Vec::new();
    for name in requested.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let Some(k) = valid.iter().find(|v| **v == name) else {
            return Err(Error::user(format!(
                "--fields: unknown field `{name}`; valid fields: {}",
                valid.join(", ")
            )));
        };
        if !out.contains(k) {
            out.push(k);
        }
    }
    if out.is_empty() {
        return Err(Error::user(format!(
            "--fields: no field named; valid fields: {}",
            valid.join(", ")
        )));
    }
    Ok(Some(out))
}

/// A JSON object reduced to chosen keys, written in the chosen order. Keys absent from
/// the object are skipped (the export omits unknown dates rather than writing `null`).
pub(crate) struct Picked<'k> {
    map: serde_json::Map<String, serde_json::Value>,
    keys: &'k [&'static str],
}

impl<'k> Picked<'k> {
    /// Projects any serializable object.
    pub(crate) fn new<T: Serialize>(value: &T, keys: &'k [&'static str]) -> Picked<'k> {
        let map = match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        Picked { map, keys }
    }
}

impl Serialize for Picked<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let present: Vec<(&str, &serde_json::Value)> = self
            .keys
            .iter()
            .filter_map(|k| self.map.get(*k).map(|v| (*k, v)))
            .collect();
        let mut m = s.serialize_map(Some(present.len()))?;
        for (k, v) in present {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A serializer's error as an I/O error of the same kind, so that a closed pipe stays
/// a `BrokenPipe` whichever writer noticed it.
pub trait IntoIo {
    /// The I/O error.
    fn into_io(self) -> io::Error;
}

impl IntoIo for serde_json::Error {
    fn into_io(self) -> io::Error {
        match self.io_error_kind() {
            Some(kind) => io::Error::new(kind, self),
            None => io::Error::other(self),
        }
    }
}

impl IntoIo for csv::Error {
    fn into_io(self) -> io::Error {
        match self.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => io::Error::other(format!("{other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_validated_deduplicated_and_ordered() {
        let f = |v: &[&str]| {
            parse_fields(
                &v.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                HIT_FIELDS,
            )
        };
        assert_eq!(f(&[]).unwrap(), None);
        assert_eq!(
            f(&["title", "id", "title", " "]).unwrap(),
            Some(vec!["title", "id"])
        );
        let e = f(&["titel"]).unwrap_err().to_string();
        assert!(
            e.contains("`titel`") && e.contains("rank, score, id"),
            "{e}"
        );
        assert!(f(&[""]).is_err());
    }

    #[test]
    fn picked_keeps_requested_keys_in_order() {
        let v = serde_json::json!({"a": 1, "b": null, "c": [1]});
        let p = Picked::new(&v, &["c", "b", "z"]);
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"c":[1],"b":null}"#);
    }
}
