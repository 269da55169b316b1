//! The mapping between [`Article`] and tantivy documents, both ways (dates are stored
//! in seconds, UTC).

use chrono::{DateTime, Utc};
use tantivy::TantivyDocument;
use tantivy::schema::Value;

use crate::model::Article;
use crate::schema::Fields;

fn to_tantivy_date(d: DateTime<Utc>) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(d.timestamp())
}

fn from_tantivy_date(d: tantivy::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(d.into_timestamp_secs(), 0)
}

/// Article → tantivy document.
pub fn to_document(a: &Article, f: &Fields) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, &a.id);
    if let Some(u) = &a.url {
        doc.add_text(f.url, u);
    }
    doc.add_text(f.source, &a.source);
    doc.add_text(f.title, &a.title);
    doc.add_text(f.dek, &a.dek);
    for au in &a.authors {
        doc.add_text(f.authors, au);
    }
    doc.add_text(f.body, &a.body);
    for t in &a.tags {
        doc.add_text(f.tags, t);
    }
    if let Some(p) = a.published {
        doc.add_date(f.published, to_tantivy_date(p));
    }
    if let Some(u) = a.updated {
        doc.add_date(f.updated, to_tantivy_date(u));
    }
    doc.add_text(f.path, &a.path);
    if !a.story.is_empty() {
        doc.add_text(f.story, &a.story);
    }
    doc
}

/// tantivy document → Article.
pub fn from_document(doc: &TantivyDocument, f: &Fields) -> Article {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let all = |field| {
        doc.get_all(field)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect::<Vec<_>>()
    };
    let date = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_datetime())
            .and_then(from_tantivy_date)
    };
    let url = text(f.url);
    Article {
        id: text(f.id),
        title: text(f.title),
        dek: text(f.dek),
        url: (!url.is_empty()).then_some(url),
        source: text(f.source),
        authors: all(f.authors),
        published: date(f.published),
        updated: date(f.updated),
        tags: all(f.tags),
        body: text(f.body),
        path: text(f.path),
        story: text(f.story),
    }
}
