//! The field mapper: which input key or column gives which coindex field, for records
//! (JSON, NDJSON, CSV, TSV) and Markdown front matter. [`MAP_FIELDS`] and
//! [`parse_field_map`] read the user's `--map FIELD=NAME` overrides; [`map_fields`]
//! finds each field by its common names (case-insensitive, ignoring `_`, `-` and
//! spaces, so `published_at`, `publishedAt` and `Published At` are one name) unless an
//! override names the key, and turns the values into text (`values`). Title, dek and
//! body holding HTML are stripped to text by `html`.
//!
//! It does not split files into records or say where a record came from (see
//! `records`, `markdown`).

use serde_json::{Map, Value};

use super::html::{self, Plain};
use super::values::{
    authors_of, body_text, date_text, scalar_text, source_text, tags_of, url_text,
};
use crate::model::RawArticle;

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

// Default input names per field, already in `norm_key` form, in order of preference.
const TITLE_KEYS: &[&str] = &[
    "title",
    "headline",
    "articletitle",
    "newstitle",
    // other languages
    "titel",
    "titre",
    "titulo",
    "título",
    "titolo",
    "überschrift",
    "ueberschrift",
    "schlagzeile",
];
const BODY_KEYS: &[&str] = &[
    "body",
    "content",
    "text",
    "article",
    "articlebody",
    "fulltext",
    "bodytext",
    "bodyhtml",
    "contenthtml",
    "contenttext",
    "contentencoded",
    "html",
    "story",
    // other languages
    "inhalt",
    "artikel",
    "artikeltext",
    "volltext",
    "haupttext",
    "texte",
    "contenu",
    "contenido",
    "conteúdo",
    "conteudo",
    "testo",
    "corpo",
    "cuerpo",
    "tekst",
];
/// Summary-like fields: the dek when a body exists, else the body.
const SUMMARY_KEYS: &[&str] = &[
    "description",
    "summary",
    "excerpt",
    "abstract",
    "lead",
    // other languages
    "zusammenfassung",
    "beschreibung",
    "résumé",
    "resume",
    "resumen",
    "descripción",
    "descripcion",
    "descrição",
    "descricao",
    "riassunto",
    "sommario",
    "samenvatting",
];
const DEK_KEYS: &[&str] = &[
    "dek",
    "deck",
    "subtitle",
    "subheadline",
    "subhead",
    "standfirst",
    "strapline",
    "teaser",
    // other languages
    "untertitel",
    "unterzeile",
    "vorspann",
    "soustitre",
    "chapo",
    "chapeau",
    "subtítulo",
    "subtitulo",
    "sottotitolo",
    "ondertitel",
];
const PUBLISHED_KEYS: &[&str] = &[
    "published",
    "date",
    "publishedat",
    "pubdate",
    "publishedon",
    "datetime",
    "timestamp",
    "createdat",
    "datepublished",
    "publishdate",
    "publicationdate",
    "publisheddate",
    "publishedtime",
    "created",
    "createdon",
    "posted",
    "postedat",
    "postdate",
    "time",
    "isodate",
    // other languages
    "datum",
    "veröffentlicht",
    "veroeffentlicht",
    "veröffentlichtam",
    "erschienen",
    "erscheinungsdatum",
    "publikationsdatum",
    "datedepublication",
    "datepublication",
    "publiéle",
    "publié",
    "fecha",
    "fechadepublicacion",
    "fechapublicacion",
    "publicado",
    "datapubblicazione",
    "pubblicato",
    "datadepublicacao",
    "publicatiedatum",
    "gepubliceerd",
];
const UPDATED_KEYS: &[&str] = &[
    "updated",
    "modified",
    "updatedat",
    "datemodified",
    "lastmodified",
    "lastmod",
    "modifiedat",
    "updatedon",
    "modifiedon",
    "modifieddate",
    "updateddate",
    "dateupdated",
    "modifiedtime",
    "updatedtime",
    // other languages
    "aktualisiert",
    "geändert",
    "miseàjour",
    "misajour",
    "actualizado",
    "atualizado",
    "aggiornato",
    "bijgewerkt",
];
const URL_KEYS: &[&str] = &[
    "url",
    "link",
    "canonicalurl",
    "permalink",
    "canonical",
    "articleurl",
    "weburl",
    "sourceurl",
    "href",
    "uri",
    "guid",
    "hyperlink",
    // other languages
    "lien",
    "enlace",
    "adresse",
];
const TAG_KEYS: &[&str] = &[
    "tags",
    "categories",
    "keywords",
    "tag",
    "category",
    "keyword",
    "topics",
    "topic",
    "section",
    "sections",
    "labels",
    "subjects",
    "newskeywords",
    // other languages
    "schlagworte",
    "schlagwörter",
    "stichworte",
    "schlüsselwörter",
    "kategorie",
    "kategorien",
    "rubrik",
    "ressort",
    "motsclés",
    "motscles",
    "catégorie",
    "catégories",
    "categorie",
    "rubrique",
    "etiquetas",
    "categoría",
    "categorías",
    "categoria",
    "categorias",
    "palabrasclave",
    "etichette",
    "parolechiave",
    "trefwoorden",
];
const SOURCE_KEYS: &[&str] = &[
    "source",
    "site",
    "publisher",
    "domain",
    "sitename",
    "outlet",
    "publication",
    "sourcename",
    "website",
    "provider",
    // other languages
    "quelle",
    "fuente",
    "fonte",
    "bron",
    "verlag",
    "herausgeber",
    "éditeur",
    "editeur",
];
const AUTHOR_KEYS: &[&str] = &[
    "author",
    "authors",
    "creator",
    "byline",
    "writer",
    "writers",
    "creators",
    "authorname",
    "dccreator",
    "bylines",
    // other languages
    "autor",
    "autoren",
    "auteur",
    "auteurs",
    "autores",
    "autore",
    "autori",
    "verfasser",
    "schrijver",
];

/// The default names of a coindex field (`--map` FIELD) in `norm_key` form.
fn default_keys(field: &str) -> &'static [&'static str] {
    match field {
        "title" => TITLE_KEYS,
        "dek" => DEK_KEYS,
        "body" => BODY_KEYS,
        "url" => URL_KEYS,
        "source" => SOURCE_KEYS,
        "authors" => AUTHOR_KEYS,
        "published" => PUBLISHED_KEYS,
        "updated" => UPDATED_KEYS,
        "tags" => TAG_KEYS,
        _ => &[],
    }
}

/// Whether the name `n` (in `norm_key` form) qualifies a default name of `field`: a
/// unit or zone after a date (`published_epoch_ms`, `date_utc`), a kind of record or
/// text before a name (`article_text`, `post_title`, `news_url`), or a form of text
/// after it (`body_html`, `content_plain`). Used only when no default name is present.
fn qualified(field: &str, n: &str) -> bool {
    const UNITS: &[&str] = &[
        "epochms",
        "epoch",
        "unixms",
        "unix",
        "ms",
        "millis",
        "sec",
        "secs",
        "seconds",
        "ts",
        "utc",
        "gmt",
        "iso",
        "iso8601",
        "text",
        "str",
        "string",
        "formatted",
    ];
    const BEFORE: &[&str] = &[
        "article", "post", "news", "story", "item", "entry", "main", "full", "clean", "plain",
    ];
    const AFTER: &[&str] = &["text", "html", "plain", "clean", "full", "md", "markdown"];
    // the source, URL and authors are too often something else under a qualified name
    // (`page_source` is a page's HTML, `link_text` a link's words, `post_author` an id)
    if !matches!(
        field,
        "title" | "body" | "published" | "updated" | "tags" | "dek"
    ) {
        return false;
    }
    let keys = default_keys(field);
    let after = if matches!(field, "published" | "updated") {
        UNITS
    } else {
        AFTER
    };
    let prefixed = BEFORE
        .iter()
        .filter_map(|b| n.strip_prefix(b))
        .any(|rest| keys.contains(&rest));
    prefixed
        || keys
            .iter()
            .filter_map(|k| n.strip_prefix(k))
            .any(|rest| after.contains(&rest))
}

/// Lowercase, letters and digits only: `published_at`, `publishedAt`, `Published At`
/// and `dc:creator` → `publishedat`, `dccreator`.
pub(crate) fn norm_key(k: &str) -> String {
    k.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when a header names a field coindex knows (or one given with `--map`).
pub(crate) fn known_header(h: &str, map: &[(String, String)]) -> bool {
    let n = norm_key(h);
    map.iter().any(|(_, name)| name == h || norm_key(name) == n)
        || [
            TITLE_KEYS,
            BODY_KEYS,
            SUMMARY_KEYS,
            DEK_KEYS,
            URL_KEYS,
            PUBLISHED_KEYS,
        ]
        .iter()
        .any(|keys| keys.contains(&n.as_str()))
        || ["title", "body", "url", "published"]
            .iter()
            .any(|f| qualified(f, &n))
}

/// Key lookup on one record.
pub(crate) struct Lookup<'a> {
    obj: &'a Map<String, Value>,
    keys: Vec<(String, &'a str)>,
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(obj: &'a Map<String, Value>) -> Self {
        Lookup {
            obj,
            keys: obj.keys().map(|k| (norm_key(k), k.as_str())).collect(),
        }
    }

    /// (input key, value) for a name in `norm_key` form.
    pub(crate) fn get(&self, norm: &str) -> Option<(&'a str, &'a Value)> {
        let (_, k) = self.keys.iter().find(|(n, _)| n == norm)?;
        Some((k, self.obj.get(*k)?))
    }

    /// A `--map` name: exact key, then ignoring case and punctuation, then a dotted path.
    fn get_named(&self, name: &str) -> Option<(&'a str, &'a Value)> {
        if let Some((k, v)) = self.obj.get_key_value(name) {
            return Some((k.as_str(), v));
        }
        if let Some(hit) = self.get(&norm_key(name)) {
            return Some(hit);
        }
        let mut parts = name.split('.');
        let first = parts.next()?;
        let mut cur = Lookup::new(self.obj).get(&norm_key(first))?;
        for p in parts {
            let Value::Object(o) = cur.1 else {
                return None;
            };
            let l = Lookup::new(o);
            cur = l.get(&norm_key(p))?;
        }
        Some((cur.0, cur.1))
    }

    /// Values of a field, in order of preference: the `--map` name alone when given,
    /// else every default name present.
    fn field(&self, field: &str, map: &[(String, String)]) -> Vec<(&'a str, &'a Value)> {
        if let Some((_, name)) = map.iter().find(|(f, _)| f == field) {
            return self.get_named(name).into_iter().collect();
        }
        let named: Vec<_> = default_keys(field)
            .iter()
            .filter_map(|k| self.get(k))
            .collect();
        if !named.is_empty() {
            return named;
        }
        self.keys
            .iter()
            .filter(|(n, _)| qualified(field, n))
            .filter_map(|(_, k)| self.obj.get_key_value(*k))
            .map(|(k, v)| (k.as_str(), v))
            .collect()
    }

    /// The UTC twin of a field's date (`date_gmt` beside `date`, `modified_gmt` beside
    /// `modified`, as WordPress exports them: the plain one is the site's local time,
    /// written without a zone), as a UTC date; `None` without a twin or with `--map`.
    fn utc_twin(&self, field: &str, map: &[(String, String)]) -> Option<String> {
        if map.iter().any(|(f, _)| f == field) {
            return None;
        }
        default_keys(field)
            .iter()
            .filter(|k| self.get(k).is_some())
            .flat_map(|k| [format!("{k}gmt"), format!("{k}utc")])
            .find_map(|twin| date_text(self.get(&twin)?.1).ok().flatten())
            // a draft's `0000-00-00 00:00:00` is no date: the plain one is read instead
            .filter(|t| !t.starts_with("0000"))
            .map(|t| as_utc(&t))
    }

    fn summary(&self) -> Vec<(&'a str, &'a Value)> {
        SUMMARY_KEYS.iter().filter_map(|k| self.get(k)).collect()
    }
}

/// A date and time written without a zone (`2025-01-10T14:30:00`, `2025-01-10
/// 14:30`) marked as UTC; any other text as it is.
fn as_utc(t: &str) -> String {
    let t = t.trim();
    let b = t.as_bytes();
    let naive = (16..=26).contains(&b.len())
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && matches!(b[10], b'T' | b' ')
        && b[11..]
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.'));
    if naive {
        format!("{}T{}Z", &t[..10], &t[11..])
    } else {
        t.to_string()
    }
}

/// First text among candidates; a wrong type is an error only if no candidate gives text.
fn first_text<'a>(
    cands: &[(&'a str, &'a Value)],
    conv: fn(&Value) -> Result<Option<String>, &'static str>,
) -> Result<Option<String>, String> {
    let mut err = None;
    for (k, v) in cands {
        match conv(v) {
            Ok(Some(t)) => return Ok(Some(t)),
            Ok(None) => {}
            Err(kind) => {
                err.get_or_insert_with(|| format!("`{k}` is {kind}, expected text"));
            }
        }
    }
    err.map_or(Ok(None), Err)
}

/// Every text among candidates, in order.
fn all_texts<'a>(
    cands: &[(&'a str, &'a Value)],
    conv: fn(&Value) -> Result<Option<String>, &'static str>,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut err = None;
    for (k, v) in cands {
        match conv(v) {
            Ok(Some(t)) => out.push(t),
            Ok(None) => {}
            Err(kind) => {
                err.get_or_insert_with(|| format!("`{k}` is {kind}, expected text"));
            }
        }
    }
    match err {
        Some(e) if out.is_empty() => Err(e),
        _ => Ok(out),
    }
}

fn list_field<'a>(
    cands: &[(&'a str, &'a Value)],
    conv: fn(&Value) -> Result<Vec<String>, &'static str>,
    first_only: bool,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut err = None;
    for (k, v) in cands {
        match conv(v) {
            Ok(list) => {
                out.extend(list);
                if first_only && !out.is_empty() {
                    break;
                }
            }
            Err(kind) => {
                err.get_or_insert_with(|| format!("`{k}` is {kind}, expected text or a list"));
            }
        }
    }
    match err {
        Some(e) if out.is_empty() => Err(e),
        _ => Ok(out),
    }
}

/// Maps one record (or front matter) to a raw article, without the emptiness check.
/// `body_elsewhere` (a Markdown body follows the front matter) makes summary fields
/// the dek even when the record has no body field.
pub(crate) fn map_fields(
    obj: &Map<String, Value>,
    map: &[(String, String)],
    body_elsewhere: bool,
) -> Result<RawArticle, String> {
    // Elasticsearch hits keep the document under `_source`.
    if let Some(Value::Object(inner)) = obj.get("_source")
        && !TITLE_KEYS.iter().any(|k| Lookup::new(obj).get(k).is_some())
    {
        return map_fields(inner, map, body_elsewhere);
    }
    let l = Lookup::new(obj);
    let mut a = RawArticle {
        title: first_text(&l.field("title", map), scalar_text)?
            .map(|t| html::inline_text(&t, Plain::AsIs)),
        ..Default::default()
    };
    // body: the longest body field, else the longest summary field
    let body = all_texts(&l.field("body", map), body_text)?
        .into_iter()
        .max_by_key(String::len);
    let mapped_dek = map.iter().any(|(f, _)| f == "dek");
    let mut dek = first_text(&l.field("dek", map), scalar_text).unwrap_or_default();
    let mapped_body = map.iter().any(|(f, _)| f == "body");
    let summaries = if mapped_dek && mapped_body {
        Vec::new()
    } else {
        all_texts(&l.summary(), body_text)?
    };
    if body.is_some() || body_elsewhere {
        if dek.is_none() && !mapped_dek {
            dek = summaries.into_iter().next();
        }
        a.body = body.unwrap_or_default();
    } else {
        // no body: the longest summary is the body, another one the dek
        let mut s = summaries;
        s.sort_by_key(|t| std::cmp::Reverse(t.len()));
        let mut it = s.into_iter();
        if let Some(longest) = it.next() {
            if dek.is_none() && !mapped_dek {
                dek = it.find(|t| *t != longest);
            }
            a.body = longest;
        }
    }
    a.dek = dek.map(|t| html::inline_text(&t, Plain::AsIs));
    a.body = html::body_to_text(&a.body);
    let urls = all_texts(&l.field("url", map), url_text).unwrap_or_default();
    a.url = urls
        .iter()
        .find(|u| u.starts_with("http://") || u.starts_with("https://"))
        .or(urls.first())
        .cloned();
    // Metadata of a type that cannot be read (a number as the author, as WordPress
    // writes a user id) is left empty: the article is still indexed.
    a.source = first_text(&l.field("source", map), source_text).unwrap_or_default();
    a.authors = list_field(&l.field("authors", map), authors_of, true).unwrap_or_default();
    if a.authors.is_empty() && !map.iter().any(|(f, _)| f == "authors") {
        // WordPress REST with `_embed`: the authors' names are under `_embedded`
        if let Some(Value::Object(e)) = obj.get("_embedded")
            && let Some(v) = e.get("author")
        {
            a.authors = authors_of(v).unwrap_or_default();
        }
    }
    a.published = match l.utc_twin("published", map) {
        Some(t) => Some(t),
        None => first_text(&l.field("published", map), date_text).unwrap_or_default(),
    };
    a.updated = match l.utc_twin("updated", map) {
        Some(t) => Some(t),
        None => first_text(&l.field("updated", map), date_text).unwrap_or_default(),
    };
    a.tags = list_field(&l.field("tags", map), tags_of, false).unwrap_or_default();
    Ok(a)
}

/// Maps one record and rejects it when it has neither title nor body.
pub(crate) fn map_record(
    obj: &Map<String, Value>,
    map: &[(String, String)],
) -> Result<RawArticle, String> {
    let a = map_fields(obj, map, false)?;
    if a.title.as_deref().is_none_or(|t| t.trim().is_empty()) && a.body.trim().is_empty() {
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).take(8).collect();
        if obj.len() > 8 {
            keys.push("…");
        }
        return Err(if keys.is_empty() {
            "no title and no body (empty object)".to_string()
        } else {
            format!(
                "no title and no body (fields: {}; name them with --map FIELD=NAME)",
                keys.join(", ")
            )
        });
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(o) => o,
            _ => unreachable!(),
        }
    }

    #[test]
    fn key_variants_table() {
        let cases = [
            ("published_at", "publishedat"),
            ("publishedAt", "publishedat"),
            ("Published At", "publishedat"),
            ("dc:creator", "dccreator"),
            ("pubDate", "pubdate"),
        ];
        for (k, want) in cases {
            assert_eq!(norm_key(k), want, "{k}");
        }
    }

    #[test]
    fn field_names_table() {
        // (record, title, published, url)
        let cases = [
            (
                json!({"headline": "H", "publishedAt": "2024-01-10", "link": "https://a.io/x"}),
                "H",
                "2024-01-10",
                "https://a.io/x",
            ),
            (
                json!({"Title": "T", "pub_date": 1704902400, "permalink": "https://b.io/y"}),
                "T",
                "1704902400",
                "https://b.io/y",
            ),
            (
                json!({"title": "T", "created_at": 1704902400123u64, "guid": "id-1", "canonical_url": "https://c.io/z"}),
                "T",
                "1704902400123",
                "https://c.io/z",
            ),
            (
                json!({"title": {"rendered": "WP"}, "date": {"$date": "2024-01-10T00:00:00Z"}, "url": "https://d.io/w"}),
                "WP",
                "2024-01-10T00:00:00Z",
                "https://d.io/w",
            ),
            (
                json!({"headline": "N", "published": "2019-05-21", "hyperlink": "https://e.io/v"}),
                "N",
                "2019-05-21",
                "https://e.io/v",
            ),
        ];
        for (rec, title, published, url) in cases {
            let a = map_record(&obj(rec.clone()), &[]).unwrap();
            assert_eq!(a.title.as_deref(), Some(title), "{rec}");
            assert_eq!(a.published.as_deref(), Some(published), "{rec}");
            assert_eq!(a.url.as_deref(), Some(url), "{rec}");
        }
    }

    #[test]
    fn body_and_dek_rules() {
        let a = map_record(
            &obj(json!({"title": "T", "description": "Short.", "content": "Long body text here.", "text": "Body."})),
            &[],
        )
        .unwrap();
        assert_eq!(a.body, "Long body text here.");
        assert_eq!(a.dek.as_deref(), Some("Short."));
        // no body: the longest summary becomes the body
        let b = map_record(
            &obj(json!({"title": "T", "summary": "Only a summary."})),
            &[],
        )
        .unwrap();
        assert_eq!(b.body, "Only a summary.");
        assert_eq!(b.dek, None);
        // HTML body stripped
        let c = map_record(
            &obj(json!({"title": "T", "body": "<p>One &amp; two.</p><div class=\"share-bar\">Share</div><p>Three.</p>"})),
            &[],
        )
        .unwrap();
        assert_eq!(c.body, "One & two.\n\nThree.");
    }

    #[test]
    fn people_tags_source_table() {
        let a = map_record(
            &obj(json!({
                "title": "T",
                "authors": [{"name": "Ann Lee"}, "Bo Chan"],
                "tags": ["ETF", {"name": "SEC"}],
                "categories": "markets|policy; bitcoin",
                "source": {"id": null, "name": "Coin Wire"}
            })),
            &[],
        )
        .unwrap();
        assert_eq!(a.authors, ["Ann Lee", "Bo Chan"]);
        assert_eq!(a.tags, ["ETF", "SEC", "markets", "policy", "bitcoin"]);
        assert_eq!(a.source.as_deref(), Some("Coin Wire"));
    }

    #[test]
    fn wrong_types_and_empty_records() {
        let cases = [
            (json!({"title": true, "body": "x"}), "`title` is a boolean"),
            (json!({"title": "T", "body": [true]}), "`body` is a list"),
            (
                json!({"id": 3, "foo": "bar"}),
                "no title and no body (fields: foo, id",
            ),
            (json!({}), "no title and no body (empty object)"),
        ];
        for (rec, want) in cases {
            let err = map_record(&obj(rec.clone()), &[]).unwrap_err();
            assert!(err.contains(want), "{rec}: {err}");
        }
        // a wrong type is forgiven when another name gives the field
        let ok = map_record(&obj(json!({"title": {"x": 1}, "headline": "H"})), &[]).unwrap();
        assert_eq!(ok.title.as_deref(), Some("H"));
        // metadata of a type that cannot be read is left empty, and the article kept
        // (WordPress writes its author as a user id)
        let a = map_record(
            &obj(
                json!({"title": "T", "body": "B", "author": 5, "tags": [true],
                "published": ["2024"], "dek": {"x": 1}, "source": [1]}),
            ),
            &[],
        )
        .unwrap();
        assert_eq!(a.title.as_deref(), Some("T"));
        assert!(a.authors.is_empty() && a.tags.is_empty() && a.published.is_none());
        assert!(a.dek.is_none() && a.source.is_none());
    }

    /// Names of other languages, and names qualified by a unit, a zone or a kind of
    /// text, find their field; an exact default name wins over a qualified one.
    #[test]
    fn qualified_and_foreign_names() {
        let a = map_record(
            &obj(json!({"Titel": "Bitcoin steigt", "Datum": "10.01.2025 14:30",
                "Autor": "Anna Schmidt", "Link": "https://example.de/a", "Text": "Der Kurs stieg."})),
            &[],
        )
        .unwrap();
        assert_eq!(a.title.as_deref(), Some("Bitcoin steigt"));
        assert_eq!(a.published.as_deref(), Some("10.01.2025 14:30"));
        assert_eq!(a.authors, ["Anna Schmidt"]);
        assert_eq!(a.url.as_deref(), Some("https://example.de/a"));
        assert_eq!(a.body, "Der Kurs stieg.");
        let a = map_record(
            &obj(
                json!({"headline": "H", "published_epoch_ms": 1736519400000u64,
                "article_text": ["One.", "Two."], "post_tags": "btc, etf"}),
            ),
            &[],
        )
        .unwrap();
        assert_eq!(a.published.as_deref(), Some("1736519400000"));
        assert!(
            a.body.contains("One.") && a.body.contains("Two."),
            "{}",
            a.body
        );
        assert_eq!(a.tags, ["btc", "etf"]);
        // the plain name wins; a qualified one that is no unit is not the field
        let a = map_record(
            &obj(
                json!({"title": "T", "body": "plain", "body_md": "*a longer marked-up text*",
                "date_created_by": "x", "timestamp_note": "y"}),
            ),
            &[],
        )
        .unwrap();
        assert_eq!(a.body, "plain");
        assert!(a.published.is_none());
        for (n, known) in [
            ("Article Text", true),
            ("published_epoch_ms", true),
            ("Titel", true),
            ("post_title", true),
            ("Notes", false),
            ("timestamp_note", false),
        ] {
            assert_eq!(known_header(n, &[]), known, "{n}");
        }
    }

    /// Qualified names of the source, URL and authors are never taken (`page_source` is a
    /// page's HTML), nor a raw page as the body, nor a local date; a draft's zero date
    /// twin falls back to the plain one.
    #[test]
    fn qualified_names_that_are_something_else() {
        let a = map_record(
            &obj(json!({"title": "T", "clean_text": "The text.", "raw_html": "<html><body><nav>Menu</nav><p>The text.</p></body></html>",
                "page_source": "<html>…</html>", "link_text": "Read more", "post_author": "1",
                "date_local": "2025-01-10 21:30", "post_date": "2025-01-10 21:30:00", "post_date_gmt": "0000-00-00 00:00:00"})),
            &[],
        )
        .unwrap();
        assert_eq!(a.body, "The text.");
        assert!(a.source.is_none() && a.url.is_none() && a.authors.is_empty());
        assert_eq!(a.published.as_deref(), Some("2025-01-10 21:30:00"));
    }

    /// WordPress REST posts: `date` is the site's local time without a zone, `date_gmt`
    /// the same instant in UTC; the authors' names are under `_embedded`.
    #[test]
    fn wordpress_rest_posts() {
        let a = map_record(
            &obj(
                json!({"id": 9, "date": "2025-01-10T21:30:00", "date_gmt": "2025-01-11T02:30:00",
                "modified": "2025-01-12 08:00:00", "modified_gmt": "2025-01-12 13:00:00",
                "title": {"rendered": "Post"}, "content": {"rendered": "<p>Text.</p>"},
                "author": 3, "_embedded": {"author": [{"id": 3, "name": "Lee Park"}]}}),
            ),
            &[],
        )
        .unwrap();
        assert_eq!(a.published.as_deref(), Some("2025-01-11T02:30:00Z"));
        assert_eq!(a.updated.as_deref(), Some("2025-01-12T13:00:00Z"));
        assert_eq!(a.authors, ["Lee Park"]);
        // a twin with a zone of its own is kept as written
        assert_eq!(
            as_utc("2025-01-11T02:30:00+00:00"),
            "2025-01-11T02:30:00+00:00"
        );
        // `--map published=date` reads the named key, not its twin
        let a = map_record(
            &obj(json!({"title": "T", "date": "2025-01-10T21:30:00", "date_gmt": "2025-01-11T02:30:00"})),
            &[("published".to_string(), "date".to_string())],
        )
        .unwrap();
        assert_eq!(a.published.as_deref(), Some("2025-01-10T21:30:00"));
    }

    #[test]
    fn map_override_and_dotted_path() {
        let map = vec![
            ("title".to_string(), "Overskrift".to_string()),
            ("source".to_string(), "meta.outlet.name".to_string()),
            ("body".to_string(), "tekst".to_string()),
        ];
        let a = map_record(
            &obj(json!({
                "title": "ignored",
                "overskrift": "Mapped",
                "tekst": "Mapped body.",
                "content": "Default body that is longer than the mapped one.",
                "meta": {"outlet": {"name": "Nordchain"}}
            })),
            &map,
        )
        .unwrap();
        assert_eq!(a.title.as_deref(), Some("Mapped"));
        assert_eq!(a.body, "Mapped body.");
        assert_eq!(a.source.as_deref(), Some("Nordchain"));
    }
}
