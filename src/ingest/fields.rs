//! The field mapper: which input key or column gives which coindex field, for records
//! (JSON, NDJSON, CSV, TSV) and Markdown front matter. [`MAP_FIELDS`] and
//! [`parse_field_map`] read the user's `--map FIELD=NAME` overrides.

/// The coindex fields a `--map FIELD=NAME` override can target.
pub const MAP_FIELDS: &[&str] = &[
    "title",
    "dek",
    "body",
    "url",
    "source",
    "authors",
    "published",
    "updated",
    "tags",
];

/// Parses `--map FIELD=NAME` arguments; the error is a sentence for the user.
pub fn parse_field_map(args: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for arg in args {
        let Some((field, name)) = arg.split_once('=') else {
            return Err(format!(
                "--map {arg:?}: expected FIELD=NAME, for example --map title=headline"
            ));
        };
        let field = field.trim().to_lowercase();
        let name = name.trim();
        if !MAP_FIELDS.contains(&field.as_str()) {
            return Err(format!(
                "--map {arg:?}: unknown field `{field}`; FIELD is one of {}",
                MAP_FIELDS.join(", ")
            ));
        }
        if name.is_empty() {
            return Err(format!("--map {arg:?}: the input name after `=` is empty"));
        }
        out.retain(|(f, _)| *f != field);
        out.push((field, name.to_string()));
    }
    Ok(out)
}
