//! The indexer's hook into site learning (`crate::sites`): the parsers clean each page
//! with its site's [`View`] ([`learn_page`]), the writer counts pages with the run's
//! [`SiteRun`] and publishes changed views, and at the end of a run names the pages
//! whose cleaning went stale ([`SiteRun::finish`]; the run reads them again). Kept apart from
//! the writer so that learning stays one switch (`IndexConfig::learn_sites`) and one
//! call in `Writer::apply`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::Datelike;
use chrono_tz::Tz;
use rustc_hash::FxHashMap;

use super::IndexConfig;
use crate::error::Result;
use crate::ingest::{self, Format};
use crate::model::{Article, RawArticle};
use crate::normalize::{
    self,
    dates::{self, DateOrder, NumericDate},
};
use crate::sites::clean::{Cut, Join, cut};
use crate::sites::{Page, Profiles, Stale, View, hits_key};
use crate::text::shingles::{SHINGLE, Shingled, shingle};

/// What the writer learned and the parsers clean pages with.
#[derive(Default)]
pub(super) struct Shared {
    /// Each site's view.
    sites: FxHashMap<String, View>,
    /// The site of the last page seen in each folder: a page's site is known only once
    /// it is parsed, so its folder's guess lets it be cut before its first parse.
    folders: FxHashMap<PathBuf, String>,
}

/// [`Shared`], shared by the writer (who learns) and the parsers (who clean).
pub(super) type Views = Arc<RwLock<Shared>>;

/// A page's text cut with the view of the site its folder guesses, and its shingles
/// (kept to count the page and clean it without hashing it again).
pub(super) struct Precut {
    site: String,
    /// The cut text; `None` when the view cut nothing (the page is parsed as it is).
    pub(super) text: Option<String>,
    shingled: Shingled,
    removed: Vec<String>,
    view: View,
}

/// Cuts a page dump or Markdown page before its first parse, when its folder's last
/// page was of a site with chrome (one parse instead of two; `learn_page` checks the
/// guess).
pub(super) fn precut(format: Format, text: &str, path: &Path, views: &Views) -> Option<Precut> {
    if !matches!(format, Format::PageDump | Format::Markdown) {
        return None;
    }
    let (site, view) = {
        let v = views.read().ok()?;
        let site = v.folders.get(path.parent()?)?;
        (site.clone(), v.sites.get(site)?.clone())
    };
    if view.chrome.is_empty() {
        return None;
    }
    let shingled = shingle(text);
    let (text, removed) = match cut_page(text, &shingled, &view) {
        Some((t, done)) if done.words > 0 => (Some(t), done.runs),
        _ => (None, Vec::new()),
    };
    Some(Precut {
        site,
        text,
        shingled,
        removed,
        view,
    })
}

/// A page's text with its site's chrome cut, and what was cut; `None` when none of
/// its shingles is chrome (then the text is not copied, nor searched for datelines).
fn cut_page(text: &str, shingled: &Shingled, view: &View) -> Option<(String, Cut)> {
    // the page's chrome shingles, found once: the cut asks again for every shingle
    let hits: Vec<usize> = (0..shingled.hashes.len())
        .filter(|&i| view.is_chrome(shingled.hashes[i]))
        .collect();
    if hits.is_empty() {
        return None;
    }
    let mut chrome: Vec<u64> = hits.iter().map(|&i| shingled.hashes[i]).collect();
    chrome.sort_unstable();
    chrome.dedup();
    // the byte ranges of the chrome shingles' words: only dates reaching into them can
    // be kept from the cut
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &i in &hits {
        let (a, b) = (
            shingled.spans[i].0 as usize,
            shingled.spans[i + SHINGLE - 1].1 as usize,
        );
        match runs.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => runs.push((a, b)),
        }
    }
    let keep = ingest::dateline_spans_near(text, &runs);
    let mut cut_text = text.to_string();
    let done = cut(&mut cut_text, shingled, Join::Page, &keep, |h| {
        chrome.binary_search(&h).is_ok()
    });
    Some((cut_text, done))
}

/// Formats whose files are pages of a site (one article, a site's template around it).
fn is_page_format(f: Format) -> bool {
    matches!(f, Format::PageDump | Format::Html | Format::Markdown)
}

/// The raw article's printed dates, kept to read them again in the site's order.
pub(super) struct RawDates {
    published: Option<String>,
    updated: Option<String>,
}

impl RawDates {
    pub(super) fn of(raw: &RawArticle) -> RawDates {
        RawDates {
            published: raw.published.clone(),
            updated: raw.updated.clone(),
        }
    }
}

/// Whether a file's one article learns and is cleaned as a page of its site.
pub(super) fn learns(format: Format, articles: usize) -> bool {
    articles == 1 && is_page_format(format)
}

/// Cleans a page with its site's view, on the parser pool: a page dump or Markdown
/// file has its chrome cut from its text and is parsed again (so chrome can no longer
/// be its title, nor hide its byline and date); an HTML page has it cut from its body.
/// An ambiguous all-numeric date is read in the site's order. The page is kept as
/// first parsed when the parse of the cut text finds no article. `pre`: the article was
/// parsed from the text [`precut`] gave; if it is not of the guessed site, the page is
/// parsed again whole and cleaned as any other.
#[allow(clippy::too_many_arguments)]
pub(super) fn learn_page(
    a: &mut Article,
    raw_dates: &RawDates,
    format: Format,
    text: &str,
    key: &str,
    fallback: &str,
    cfg: &IndexConfig,
    views: &Views,
    pre: Option<Precut>,
) -> Page {
    let mut dates = raw_dates;
    let mut reparsed = None;
    let mut shingled = None;
    if let Some(p) = pre {
        if a.source == p.site {
            return finish_page(a, dates, cfg, p.view, p.shingled, p.removed, true);
        }
        if p.text.is_none() {
            // parsed from the text as it is, so only its site's view is to be applied
            shingled = Some(p.shingled);
        } else {
            match reparse(format, text, key, fallback, cfg) {
                Some((b, d)) => {
                    *a = b;
                    reparsed = Some(d);
                }
                // the uncut text has no article: keep the cut one, as the guess cleaned it
                // (cut with another site's view: no hits key, so it is parsed again
                // whenever its own site's chrome changes)
                None => return finish_page(a, dates, cfg, p.view, p.shingled, p.removed, false),
            }
        }
    }
    let uncut = reparsed.take();
    if let Some(d) = &uncut {
        dates = d;
    }
    let view = views
        .read()
        .ok()
        .and_then(|v| v.sites.get(&a.source).cloned())
        .unwrap_or_default();
    let page_text = format != Format::Html;
    let shingled = shingled.unwrap_or_else(|| shingle(if page_text { text } else { &a.body }));
    let mut removed = Vec::new();
    if !view.chrome.is_empty() {
        if page_text {
            if let Some((cut_text, done)) = cut_page(text, &shingled, &view)
                && done.words > 0
                && let Some((b, d)) = reparse(format, &cut_text, key, fallback, cfg)
                && b.source == a.source
            {
                *a = b;
                reparsed = Some(d);
                removed = done.runs;
            }
        } else {
            // `shingled` is of the body as parsed, which this cut changes
            removed = cut(&mut a.body, &shingled, Join::Body, &[], |h| {
                view.is_chrome(h)
            })
            .runs;
        }
    }
    if let Some(d) = &reparsed {
        dates = d;
    }
    finish_page(a, dates, cfg, view, shingled, removed, page_text)
}

/// Reads an ambiguous date in the site's order and makes the page's [`Page`].
/// `page_text`: `shingled` is of the page's text, which the view cut before parsing
/// (the page gets a [`hits_key`]).
fn finish_page(
    a: &mut Article,
    dates: &RawDates,
    cfg: &IndexConfig,
    view: View,
    shingled: Shingled,
    removed: Vec<String>,
    page_text: bool,
) -> Page {
    let tz = cfg.normalize.timezone;
    let date = dates
        .published
        .as_deref()
        .or(dates.updated.as_deref())
        .and_then(dates::numeric_date);
    let mut order_used = DateOrder::Unknown;
    if date == Some(NumericDate::Ambiguous) && view.order != DateOrder::Unknown {
        order_used = view.order;
        read_dates_in(a, dates, tz, view.order);
    }
    let hits = page_text.then(|| hits_key(&shingled, &view));
    Page {
        site: a.source.clone(),
        year: a.published.map(|d| d.year()),
        shingled,
        date,
        order_used,
        version_used: view.version,
        hits,
        removed,
    }
}

/// Parses a cut page text into its one article.
fn reparse(
    format: Format,
    text: &str,
    key: &str,
    fallback: &str,
    cfg: &IndexConfig,
) -> Option<(Article, RawDates)> {
    let mut parsed = ingest::parse_text(format, text, &cfg.ingest).ok()?;
    if parsed.articles.len() != 1 {
        return None;
    }
    let raw = parsed.articles.pop()?;
    let d = RawDates::of(&raw);
    let a = normalize::normalize(raw, key, fallback, &cfg.normalize).ok()?;
    (!a.body.is_empty()).then_some((a, d))
}

/// Reads the article's printed dates in the site's order.
fn read_dates_in(a: &mut Article, d: &RawDates, tz: Tz, order: DateOrder) {
    let read = |s: Option<&str>| s.and_then(|s| dates::parse_date_in(s, tz, order));
    if let Some(u) = read(d.updated.as_deref()) {
        a.updated = Some(u);
    }
    if let Some(p) = read(d.published.as_deref()) {
        a.published = Some(p);
    } else if d.published.is_none() && a.updated.is_some() {
        a.published = a.updated;
    }
}

/// The run's learned state.
pub(super) struct SiteRun {
    profiles: Profiles,
    pub(super) views: Views,
    /// Pages count into their groups (off while stale pages are cleaned again).
    counting: bool,
    /// Learned state changed since it was saved.
    changed: bool,
}

impl SiteRun {
    pub(super) fn open(dir: &std::path::Path) -> Result<SiteRun> {
        let profiles = crate::index::sites::load(dir)?;
        let views = Arc::new(RwLock::new(Shared {
            sites: profiles.views(),
            folders: FxHashMap::default(),
        }));
        Ok(SiteRun {
            profiles,
            views,
            counting: true,
            changed: false,
        })
    }

    /// Counts a page (cleaned by its parser) into its site.
    pub(super) fn observe(&mut self, key: &str, page: &Page) {
        let seen = self.profiles.observe(key, page, self.counting);
        self.changed = true;
        if seen.view_changed {
            self.publish(&page.site);
        }
        if let Some(dir) = Path::new(key).parent() {
            let known = self
                .views
                .read()
                .is_ok_and(|v| v.folders.get(dir) == Some(&page.site));
            if !known && let Ok(mut v) = self.views.write() {
                v.folders.insert(dir.to_path_buf(), page.site.clone());
            }
        }
    }

    /// Records that a stale page meets the same chrome as when it was cut.
    pub(super) fn mark_clean(&mut self, path: &str, site: &str) {
        self.profiles.mark_clean(path, site);
        self.changed = true;
    }

    /// Hands the parsers a site's new view.
    fn publish(&self, site: &str) {
        if let (Some(s), Ok(mut v)) = (self.profiles.sites.get(site), self.views.write()) {
            v.sites.insert(site.to_string(), s.view());
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

impl SiteRun {
    /// Ends the run's learning: recomputes chrome, hands the parsers every site's new
    /// view, stops counting, and returns the pages whose cleaning went stale (see
    /// `sites::Profiles::stale`).
    pub(super) fn finish(&mut self) -> Vec<Stale> {
        self.profiles.finish();
        self.changed = true;
        if let Ok(mut v) = self.views.write() {
            v.sites = self.profiles.views();
        }
        self.counting = false;
        self.profiles.stale()
    }
}

/// Whether a stale page can keep what is indexed: its text (read again) meets the same
/// chrome under its site's view now as when it was cut, so parsing it again would give
/// the same article. Any doubt (no key, unreadable, another format) says no.
pub(super) fn still_clean(stale: &Stale, cfg: &IndexConfig, views: &Views) -> bool {
    let Some(hits) = stale.hits else {
        return false;
    };
    let Some(view) = views
        .read()
        .ok()
        .and_then(|v| v.sites.get(&stale.site).cloned())
    else {
        return false;
    };
    let path = Path::new(&stale.path);
    let Ok(bytes) = ingest::read_bytes(path, &cfg.ingest) else {
        return false;
    };
    let Ok(text) = ingest::read_text(path, &bytes, &cfg.ingest) else {
        return false;
    };
    let page_text = matches!(
        ingest::detect_format(path, &text),
        Ok(Format::PageDump | Format::Markdown)
    );
    page_text && hits_key(&shingle(&text), &view) == hits
}
