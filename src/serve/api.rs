//! The JSON API's handlers. Each reads its parameters (`params`), runs the library call
//! of the matching CLI command on the blocking pool (ranking is CPU-bound; the pool has
//! one thread per core, so concurrent requests queue instead of oversubscribing the
//! cores) and renders with the CLI's own renderer, so a response is byte for byte what
//! `coindex <command> --format json` prints.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::error::{ApiError, Kind};
use super::params::{self, Params};
use super::{App, json_response};
use crate::output::document::{Document, Shape};
use crate::output::{self, Format};
use crate::search::{Engine, aggregate, views};

/// Runs `work` on the blocking pool with the current engine; renders its bytes or its
/// error.
async fn blocking(
    app: Arc<App>,
    work: impl FnOnce(&Engine, &App) -> Result<Vec<u8>, ApiError> + Send + 'static,
) -> Response {
    let done = tokio::task::spawn_blocking(move || {
        let engine = app.library.engine();
        work(&engine, &app)
    })
    .await;
    match done {
        Ok(Ok(bytes)) => json_response(StatusCode::OK, bytes),
        Ok(Err(e)) => axum::response::IntoResponse::into_response(e),
        Err(_) => axum::response::IntoResponse::into_response(ApiError::new(
            Kind::Internal,
            "the request failed inside coindex (a bug: please report it)",
        )),
    }
}

fn io(e: std::io::Error) -> ApiError {
    ApiError::new(Kind::Internal, format!("cannot render the response: {e}"))
}

/// `/api/search`: `coindex search --format json`.
pub async fn search(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    blocking(app, move |engine, app| {
        let p = Params::parse(raw.as_deref(), params::SEARCH_KEYS)?;
        let s = params::search(&p, app.timezone)?;
        let mut results = engine.search(&s.request)?;
        results.hits.drain(..s.offset.min(results.hits.len()));
        let mut out = Vec::new();
        output::results(&mut out, &results, Format::Json, None, false).map_err(io)?;
        Ok(out)
    })
    .await
}

/// The 404 of an id or URL that is not in the index.
fn unknown(id: &str) -> ApiError {
    ApiError::new(
        Kind::NotFound,
        format!("no document with id or URL {id:?} in the index"),
    )
}

/// `/api/doc/{id}`: `coindex get --format json`.
pub async fn doc(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    blocking(app, move |engine, _| {
        Params::parse(raw.as_deref(), &[])?;
        let Some((_, article)) = engine.find(&id)? else {
            return Err(unknown(&id));
        };
        let mut out = Vec::new();
        output::document(
            &mut out,
            &Document::new(&article, Shape::Get),
            Format::Json,
            false,
        )
        .map_err(io)?;
        Ok(out)
    })
    .await
}

/// `/api/similar/{id}`: `coindex similar --format json`.
pub async fn similar(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    blocking(app, move |engine, _| {
        let p = Params::parse(raw.as_deref(), &["limit"])?;
        let limit = p.int("limit", 10, 1, params::MAX_LIMIT)?;
        let Some(results) = views::similar_results(engine, &id, limit)? else {
            return Err(unknown(&id));
        };
        let mut out = Vec::new();
        output::results(&mut out, &results, Format::Json, None, false).map_err(io)?;
        Ok(out)
    })
    .await
}

/// `/api/facets?field=tags|sources`: `coindex tags` / `coindex sources --format json`.
pub async fn facets(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    blocking(app, move |engine, app| {
        let p = Params::parse(
            raw.as_deref(),
            &[
                "q", "field", "from", "to", "tag", "source", "limit", "collapse",
            ],
        )?;
        let (field, name) = match p.one("field")? {
            Some("tags") => ("tags", "tag"),
            Some("sources") => ("source", "source"),
            _ => {
                return Err(ApiError::parameter("`field` must be tags or sources"));
            }
        };
        let q = p.one("q")?.filter(|q| !q.trim().is_empty());
        let filters = p.filters(app.timezone)?;
        let limit = p.int("limit", 50, 1, params::MAX_LIMIT)?;
        let counts = views::facet_counts(
            engine,
            q,
            &filters,
            app.timezone,
            field,
            limit,
            p.collapse()?,
        )?;
        let mut out = Vec::new();
        output::counts(&mut out, &counts, name, Format::Json, false).map_err(io)?;
        Ok(out)
    })
    .await
}

/// `/api/timeline`: `coindex timeline --format json`.
pub async fn timeline(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    blocking(app, move |engine, app| {
        let p = Params::parse(
            raw.as_deref(),
            &["q", "by", "from", "to", "tag", "source", "collapse"],
        )?;
        let q = p.required_query()?;
        let filters = p.filters(app.timezone)?;
        let t = views::query_timeline(
            engine,
            &q,
            &filters,
            app.timezone,
            p.period()?,
            p.collapse()?,
        )?;
        let mut out = Vec::new();
        output::timeline(&mut out, &q, &t.buckets, t.undated, Format::Json, false).map_err(io)?;
        Ok(out)
    })
    .await
}

/// `/api/stats`: `coindex stats --format json`.
pub async fn stats(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    blocking(app, move |engine, _| {
        let p = Params::parse(raw.as_deref(), &["top"])?;
        let top = p.int("top", 10, 0, params::MAX_LIMIT)?;
        let s = aggregate::stats(engine, top)?;
        let mut out = Vec::new();
        output::stats(&mut out, engine.dir(), &s, Format::Json).map_err(io)?;
        Ok(out)
    })
    .await
}

/// Any other path.
pub async fn not_found() -> Response {
    axum::response::IntoResponse::into_response(ApiError::new(
        Kind::NotFound,
        "no such page: the API is under /api/ (see docs/API.md) and the search page is /",
    ))
}

/// Any method but GET (and HEAD).
pub async fn method_not_allowed() -> Response {
    axum::response::IntoResponse::into_response(ApiError::new(Kind::Method, "only GET is served"))
}
