//! `coindex search`: ranked hits with snippets, in every output format.

use std::io::Write;

use super::{Status, filters, format_of, io_err};
use crate::cli::{self, SortArg};
use crate::config;
use crate::error::Result;
use crate::output::{self, Format, json::JsonHit, json::JsonSerp, table, text};
use crate::search::{Engine, SearchRequest, Sort};

pub fn run(c: cli::SearchCmd, out: &mut dyn Write) -> Result<Status> {
    let (filters, tz) = filters(&c.filters)?;
    let dir = config::index_dir(c.index.index)?;
    let engine = Engine::open(&dir)?;
    let req = SearchRequest {
        query: c.query,
        filters,
        limit: c.limit as usize,
        sort: match c.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        },
        fuzzy: c.fuzzy,
        recent: c.recent,
        snippets: c.snippets as usize,
        snippet_len: 220,
        timezone: tz,
    };
    let results = engine.search(&req)?;
    let color = output::use_color(c.output.color);
    match format_of(c.output.format) {
        Format::Text => text::search(out, &results, color),
        Format::Json => table::json(out, &JsonSerp::new(&results)),
        Format::Ndjson => {
            let hits: Vec<JsonHit> = results.hits.iter().map(JsonHit::new).collect();
            table::ndjson(out, &hits)
        }
        f @ (Format::Csv | Format::Tsv) => {
            let rows: Vec<Vec<String>> = results
                .hits
                .iter()
                .map(|h| {
                    let a = &h.article;
                    vec![
                        h.rank.to_string(),
                        format!("{:.3}", h.score),
                        a.id.clone(),
                        a.title.clone(),
                        a.published
                            .as_ref()
                            .map(output::rfc3339)
                            .unwrap_or_default(),
                        a.source.clone(),
                        a.tags.join("|"),
                        a.url.clone().unwrap_or_default(),
                        a.path.clone(),
                        h.snippet.text.clone(),
                    ]
                })
                .collect();
            table::delimited(
                out,
                f,
                &[
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
                ],
                &rows,
            )
        }
    }
    .map_err(io_err)?;
    Ok(if results.hits.is_empty() { 1 } else { 0 })
}
