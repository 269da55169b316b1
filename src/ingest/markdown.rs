//! Markdown (`.md`, `.markdown`) with optional YAML (`---`) or TOML (`+++`) front
//! matter, as static-site generators and note apps keep articles.
//!
//! Front matter goes through the record field mapper (`fields::map_fields`): `title`,
//! `date`/`published`, `updated`/`lastmod`, `tags`/`categories` (a list or a comma
//! string), `url`, `source`, `author`/`authors`, `description`/`summary` (the dek). The
//! body is read with pulldown-cmark events and indexed as plain text, one paragraph per
//! block joined by a blank line: no markup, no image alt text, HTML blocks stripped to
//! their text. A first `# heading` is the title when the front matter has none.
//!
//! Which front-matter key gives which field is the mapper's (`fields`); the boilerplate
//! rules on the paragraphs are `html::clean_paragraphs`'s.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value};

use super::fields::map_fields;
use super::html;
use super::values;
use crate::model::RawArticle;
use crate::text::clean_inline;

/// Which front matter a file opens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontMatter {
    Yaml,
    Toml,
}

/// Deepest front-matter nesting that is converted (deeper values are dropped).
const MAX_DEPTH: usize = 64;

/// Splits `---`/`+++` front matter from the body: (kind, front matter, body).
pub fn split_front_matter(text: &str) -> Option<(FrontMatter, &str, &str)> {
    let t = text.trim_start_matches('\u{feff}');
    let t = t.trim_start_matches(['\r', '\n']);
    let (kind, fence) = if t.starts_with("---") {
        (FrontMatter::Yaml, "---")
    } else if t.starts_with("+++") {
        (FrontMatter::Toml, "+++")
    } else {
        return None;
    };
    let first_nl = t.find('\n')?;
    if t[..first_nl].trim_end() != fence {
        return None;
    }
    let rest = &t[first_nl + 1..];
    let mut pos = 0;
    for line in rest.split_inclusive('\n') {
        let l = line.trim_end();
        if l == fence || (kind == FrontMatter::Yaml && l == "...") {
            return Some((kind, &rest[..pos], &rest[pos + line.len()..]));
        }
        pos += line.len();
    }
    None
}

/// Greatest `[`/`{` nesting: a cheap guard before the TOML parser (which recurses) and
/// the YAML scanner (slow on deep flow collections).
fn bracket_depth(s: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in s.chars() {
        match c {
            '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn yaml_to_json(v: serde_yaml_ng::Value, depth: usize) -> Value {
    use serde_yaml_ng::Value as Y;
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().map_or(Value::Null, Value::from)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(seq) => Value::Array(
            seq.into_iter()
                .map(|x| yaml_to_json(x, depth + 1))
                .collect(),
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => continue,
                };
                out.insert(key, yaml_to_json(v, depth + 1));
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value, depth + 1),
    }
}

fn toml_to_json(v: toml::Value, depth: usize) -> Value {
    use toml::Value as T;
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match v {
        T::String(s) => Value::String(s),
        T::Integer(i) => Value::from(i),
        T::Float(f) => Value::from(f),
        T::Boolean(b) => Value::Bool(b),
        T::Datetime(d) => Value::String(d.to_string()),
        T::Array(a) => Value::Array(a.into_iter().map(|x| toml_to_json(x, depth + 1)).collect()),
        T::Table(t) => Value::Object(
            t.into_iter()
                .map(|(k, v)| (k, toml_to_json(v, depth + 1)))
                .collect(),
        ),
    }
}

/// Parses front matter into a JSON object (empty when there is none).
fn front_matter_map(kind: FrontMatter, fm: &str) -> Result<Map<String, Value>, String> {
    if fm.trim().is_empty() {
        return Ok(Map::new());
    }
    let value = match kind {
        FrontMatter::Yaml => {
            if bracket_depth(fm) > MAX_DEPTH {
                return Err(format!(
                    "invalid YAML front matter: nested more than {MAX_DEPTH} levels deep"
                ));
            }
            let y: serde_yaml_ng::Value = serde_yaml_ng::from_str(fm)
                .map_err(|e| format!("invalid YAML front matter: {e}"))?;
            yaml_to_json(y, 0)
        }
        FrontMatter::Toml => {
            if bracket_depth(fm) > MAX_DEPTH {
                return Err(format!(
                    "invalid TOML front matter: nested more than {MAX_DEPTH} levels deep"
                ));
            }
            let t: toml::Table =
                toml::from_str(fm).map_err(|e| format!("invalid TOML front matter: {e}"))?;
            toml_to_json(toml::Value::Table(t), 0)
        }
    };
    match value {
        Value::Object(o) => Ok(o),
        Value::Null => Ok(Map::new()),
        other => Err(format!(
            "front matter holds {}, not a set of fields",
            values::kind(&other)
        )),
    }
}

/// Plain-text paragraphs of a Markdown body and its first level-1 heading.
fn body_paragraphs(md: &str) -> (Vec<String>, Option<String>) {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let mut paras: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut html_block = String::new();
    let mut in_html_block = false;
    let mut image_depth = 0usize;
    let mut heading: Option<HeadingLevel> = None;
    let mut h1: Option<String> = None;
    let flush = |buf: &mut String, paras: &mut Vec<String>| {
        let p = crate::text::collapse_ws(buf);
        if !p.is_empty() {
            paras.push(p);
        }
        buf.clear();
    };
    for ev in Parser::new_ext(md, opts) {
        match ev {
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut buf, &mut paras);
                heading = Some(level);
            }
            Event::End(TagEnd::Heading(_)) => {
                let text = crate::text::collapse_ws(&buf);
                buf.clear();
                if heading == Some(HeadingLevel::H1) && h1.is_none() && paras.is_empty() {
                    h1 = Some(text);
                } else if !text.is_empty() {
                    paras.push(text);
                }
                heading = None;
            }
            Event::Start(Tag::HtmlBlock) => {
                flush(&mut buf, &mut paras);
                in_html_block = true;
            }
            Event::End(TagEnd::HtmlBlock) => {
                in_html_block = false;
                let text = html::fragment_text(&html_block);
                html_block.clear();
                paras.extend(
                    text.split("\n\n")
                        .filter(|p| !p.is_empty())
                        .map(String::from),
                );
            }
            Event::Html(t) if in_html_block => html_block.push_str(&t),
            Event::Html(_) | Event::InlineHtml(_) | Event::FootnoteReference(_) => {}
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                if in_html_block {
                    html_block.push_str(&t);
                } else if image_depth == 0 {
                    buf.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => buf.push(' '),
            Event::Start(
                Tag::Paragraph
                | Tag::Item
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::TableRow
                | Tag::TableHead
                | Tag::FootnoteDefinition(_)
                | Tag::List(_),
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::FootnoteDefinition
                | TagEnd::List(_),
            )
            | Event::Rule => flush(&mut buf, &mut paras),
            Event::End(TagEnd::TableCell) => buf.push(' '),
            _ => {}
        }
    }
    flush(&mut buf, &mut paras);
    (paras, h1)
}

/// Parses a Markdown file; `map` is the `--map` override for front-matter keys.
pub fn parse(text: &str, map: &[(String, String)]) -> Result<RawArticle, String> {
    let (fields, body_md) = match split_front_matter(text) {
        Some((kind, fm, body)) => (front_matter_map(kind, fm)?, body),
        None => (Map::new(), text),
    };
    let (paras, h1) = body_paragraphs(body_md);
    let mut a = map_fields(&fields, map, !paras.is_empty())?;
    if a.title.is_none() {
        a.title = h1.clone();
    }
    let mut paras = html::clean_paragraphs(paras, a.title.as_deref(), a.dek.as_deref());
    // an H1 that differs from the front-matter title is body text
    if let Some(h) = h1
        && a.title
            .as_deref()
            .is_none_or(|t| clean_inline(t) != clean_inline(&h))
    {
        paras.insert(0, h);
    }
    if !paras.is_empty() {
        a.body = paras.join("\n\n");
    } else if !a.body.is_empty() {
        // no Markdown body: a body field of the front matter stays
    } else if let Some(d) = a.dek.take() {
        a.body = d;
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_table() {
        let cases: &[(&str, Option<FrontMatter>)] = &[
            ("---\ntitle: A\n---\nbody", Some(FrontMatter::Yaml)),
            (
                "\u{feff}---\r\ntitle: A\r\n---\r\nbody",
                Some(FrontMatter::Yaml),
            ),
            ("---\ntitle: A\n...\nbody", Some(FrontMatter::Yaml)),
            ("+++\ntitle = \"A\"\n+++\nbody", Some(FrontMatter::Toml)),
            ("---\ntitle: A\nno closing fence", None),
            ("----\nnot: fm\n----\n", None),
            ("# Heading\n\ntext", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                split_front_matter(text).map(|(k, _, _)| k),
                *want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn body_is_plain_text() {
        let md = "# The Title\n\nFirst *para* with [a link](https://x.io) and `code`.\n\n![alt text](img.png)\n\n- item one\n- item two\n\n> quoted\n\n<div class=\"newsletter\">Sign up</div>\n\n<p>Raw <b>html</b> para.</p>\n\n## Sub heading\n\nLast.";
        let (paras, h1) = body_paragraphs(md);
        assert_eq!(h1.as_deref(), Some("The Title"));
        assert_eq!(
            paras,
            [
                "First para with a link and code.",
                "item one",
                "item two",
                "quoted",
                "Raw html para.",
                "Sub heading",
                "Last."
            ]
        );
    }

    #[test]
    fn yaml_and_toml_fields() {
        let y = parse(
            "---\ntitle: \"Y\"\ndate: 2021-05-19\ntags: [defi, china]\nauthor: Ann Lee\ndescription: Dek.\n---\nBody.\n",
            &[],
        )
        .unwrap();
        assert_eq!(y.title.as_deref(), Some("Y"));
        assert_eq!(y.published.as_deref(), Some("2021-05-19"));
        assert_eq!(y.tags, ["defi", "china"]);
        assert_eq!(y.authors, ["Ann Lee"]);
        assert_eq!(y.dek.as_deref(), Some("Dek."));
        assert_eq!(y.body, "Body.");
        let t = parse(
            "+++\ntitle = \"T\"\ndate = 2022-09-15T06:43:00Z\nlastmod = 2022-09-15T09:00:00-04:00\ncategories = \"ethereum, merge\"\n+++\n# T\n\nBody.\n",
            &[],
        )
        .unwrap();
        assert_eq!(t.published.as_deref(), Some("2022-09-15T06:43:00Z"));
        assert_eq!(t.updated.as_deref(), Some("2022-09-15T09:00:00-04:00"));
        assert_eq!(t.tags, ["ethereum", "merge"]);
        assert_eq!(t.body, "Body.");
        let deep = format!(
            "+++\na = {}{}\n+++\nx",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(parse(&deep, &[]).unwrap_err().contains("nested"));
        assert!(parse("---\n: : :\n  - [\n---\nx", &[]).is_err());
    }
}
