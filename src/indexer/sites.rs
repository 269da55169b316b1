//! The indexer's hook into site learning (`crate::sites`): the parsers derive each
//! page's site facts ([`page_of`]), the writer counts and cleans pages with the run's
//! [`SiteRun`], and at the end of a run the pages whose cleaning went stale are read
//! and cleaned again ([`reclean_stale`]). Kept apart from the writer so that learning
//! stays one switch (`IndexConfig::learn_sites`) and one call in `Writer::apply`.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use chrono::Datelike;
use chrono_tz::Tz;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::IndexConfig;
use super::parse::{Parsed, parse_one};
use super::writer::Writer;
use crate::error::Result;
use crate::index::manifest::PathKey;
use crate::ingest::{FoundFile, Format};
use crate::model::Article;
use crate::normalize::dates::{self, DateOrder, NumericDate};
use crate::sites::{Page, Profiles};
use crate::text::shingles::shingle;

/// The date order of each site that has one, shared by the writer (who learns it) and
/// the parsers (who read ambiguous dates with it).
pub(super) type Orders = Arc<RwLock<FxHashMap<String, DateOrder>>>;

/// Formats whose files are pages of a site (one article, a site's template around it).
pub(super) fn is_page_format(f: Format) -> bool {
    matches!(f, Format::PageDump | Format::Html | Format::Markdown)
}

/// A page's site facts, on the parser pool. An all-numeric ambiguous date is read
/// again in its site's order, when the site has one.
pub(super) fn page_of(
    a: &mut Article,
    published: Option<&str>,
    updated: Option<&str>,
    tz: Tz,
    orders: &Orders,
) -> Page {
    let shown = published.or(updated);
    let date = shown.and_then(dates::numeric_date);
    let mut order_used = DateOrder::Unknown;
    if date == Some(NumericDate::Ambiguous) {
        let known = orders.read().ok().and_then(|o| o.get(&a.source).copied());
        if let Some(order) = known {
            order_used = order;
            let read = |s: Option<&str>| s.and_then(|s| dates::parse_date_in(s, tz, order));
            if let Some(u) = read(updated) {
                a.updated = Some(u);
            }
            if let Some(p) = read(published).or(a.updated.filter(|_| published.is_none())) {
                a.published = Some(p);
            }
        }
    }
    Page {
        site: a.source.clone(),
        year: a.published.map(|d| d.year()),
        shingled: shingle(&a.body),
        date,
        order_used,
    }
}

/// The run's learned state.
pub(super) struct SiteRun {
    profiles: Profiles,
    pub(super) orders: Orders,
    /// Pages count into their groups (off while stale pages are cleaned again).
    counting: bool,
    /// Learned state changed since it was saved.
    changed: bool,
}

impl SiteRun {
    pub(super) fn open(dir: &std::path::Path) -> Result<SiteRun> {
        let profiles = crate::index::sites::load(dir)?;
        let orders = Arc::new(RwLock::new(profiles.date_orders()));
        Ok(SiteRun {
            profiles,
            orders,
            counting: true,
            changed: false,
        })
    }

    /// Counts a page and cuts its site's chrome from the article's body.
    pub(super) fn clean(&mut self, key: &str, page: &Page, a: &mut Article) {
        let seen = self.profiles.observe(key, page, &mut a.body, self.counting);
        self.changed = true;
        if seen.order_changed
            && let Ok(mut o) = self.orders.write()
        {
            *o = self.profiles.date_orders();
        }
    }

    /// Forgets a file that is no longer indexed.
    pub(super) fn forget(&mut self, key: &str) {
        self.profiles.forget(key);
        self.changed = true;
    }

    /// Writes the profiles if they changed (before an index commit).
    pub(super) fn save(&mut self, dir: &std::path::Path) -> Result<()> {
        if self.changed {
            crate::index::sites::save(dir, &self.profiles)?;
            self.changed = false;
        }
        Ok(())
    }
}

/// Files cleaned again per parallel round.
const RECLEAN_CHUNK: usize = 64;

/// Recomputes chrome at the end of a run and reads again, on the rayon pool, the
/// indexed pages whose chrome or date order changed since they were indexed (see
/// `sites::Profiles::stale`). They are not counted again; the summary counts them as
/// `recleaned`.
pub(super) fn reclean_stale(w: &mut Writer<'_>, cfg: &IndexConfig) {
    let Some(sites) = w.sites.as_deref_mut() else {
        return;
    };
    sites.profiles.finish();
    sites.changed = true;
    let stale = sites.profiles.stale();
    let orders = sites.orders.clone();
    sites.counting = false;
    let todo: Vec<(PathKey, FoundFile)> = stale
        .iter()
        .filter_map(|k| {
            let (key, e) = w.manifest.files.get_key_value(k.as_str())?;
            Some((
                key.clone(),
                FoundFile {
                    path: PathBuf::from(k),
                    size: e.size,
                    mtime_ns: e.mtime_ns,
                },
            ))
        })
        .collect();
    for chunk in todo.chunks(RECLEAN_CHUNK) {
        let parsed: Vec<Parsed> = chunk
            .par_iter()
            .map(|(key, found)| parse_one(key.clone(), found.clone(), None, cfg, Some(&orders)))
            .collect();
        for p in parsed {
            w.reclean(p);
        }
    }
    if let Some(s) = w.sites.as_deref_mut() {
        s.counting = true;
    }
}
