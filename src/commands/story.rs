//! `coindex story <ID|URL>`: the versions of one story, oldest first, so a reader sees
//! who published first. Takes a story id, or the id or URL of any version.

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli;
use crate::config;
use crate::error::Result;
use crate::output;
use crate::search::snippet::Snippet;
use crate::search::{Engine, Hit, SearchResults};

pub fn run(c: cli::StoryCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let dir = config::index_dir(c.index.index)?;
    let engine = Engine::open(&dir)?;
    let wanted = c.id.trim();
    let mut versions = engine.story_versions(wanted)?;
    if versions.is_empty()
        && let Some((addr, _)) = engine.find(wanted)?
    {
        // the id or URL of one version
        versions = engine.story_versions(&engine.story_id(addr)?)?;
    }
    let Some((first, _)) = versions.first() else {
        eprintln!(
            "coindex: no story and no document with id or URL {:?} in the index at {}",
            c.id,
            dir.display()
        );
        return Ok(ExitCode::NoMatch);
    };
    let story = engine.story_info(&engine.story_id(*first)?)?;
    let hits: Vec<Hit> = versions
        .into_iter()
        .enumerate()
        .map(|(i, (_, article))| Hit {
            rank: i + 1,
            score: 0.0,
            snippet: Snippet::lead(&article),
            article,
            story: story.clone(),
        })
        .collect();
    let results = SearchResults {
        query: format!("story:{}", story.id),
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
    Ok(ExitCode::Success)
}
