//! `coindex similar <ID|URL>`: more like this.

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli::SimilarCmd;
use crate::config;
use crate::error::{Error, Result};
use crate::output;
use crate::search::snippet::Snippet;
use crate::search::{Engine, Hit, SearchResults, aggregate};

/// Runs `similar`.
pub fn run(c: SimilarCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    let Some((addr, target)) = engine.find(&c.target)? else {
        return Err(Error::user(format!(
            "no document with id or URL `{}` in the index (ids are printed by `coindex search --format json`)",
            c.target
        )));
    };
    let related = aggregate::similar(&engine, addr, &target.id, c.limit)?;
    let mut hits = Vec::new();
    for (i, (score, a)) in related.into_iter().enumerate() {
        let article = engine.article(a)?;
        let story = engine.story_info(&article.story)?;
        let lead = if article.dek.is_empty() {
            article.body.chars().take(200).collect()
        } else {
            article.dek.clone()
        };
        hits.push(Hit {
            rank: i + 1,
            score,
            article,
            snippet: Snippet {
                text: lead,
                highlights: vec![],
            },
            story,
        });
    }
    let results = SearchResults {
        query: format!("similar:{}", target.id),
        total_hits: hits.len(),
        hits,
    };
    output::results(
        out,
        &results,
        config::format(c.output.format),
        None,
        config::use_color(c.output.color),
    )
    .map_err(io_err)?;
    Ok(ExitCode::found(!results.hits.is_empty()))
}
