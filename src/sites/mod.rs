//! Site learning: each site's chrome (ticker, menus, share bars, disclaimers, teaser
//! blocks, footers) found from the archive itself, and each site's order of all-numeric
//! dates. No rule here names a site.
//!
//! A *page* is a file of a page format (page dump, HTML, Markdown) that holds one
//! article; record exports and feeds are not learned from (their bodies carry no page
//! template). A page's *site* is its article's source key: the source its metadata
//! names, else its URL's host, else its folder (see `normalize`).
//!
//! Each site keeps *groups* of pages: one for all its pages and one per publication year
//! (templates change from year to year; `undated` for pages without a date). A group
//! counts the [shingles](crate::text::shingles) of its first [`SAMPLE_PAGES`] pages; a
//! shingle found on at least [`SHARE_PERCENT`]% of them (and on at least
//! [`MIN_SHARE_PAGES`]) is chrome once the group has [`MIN_PAGES`] pages. Chrome is
//! recomputed when a group reaches [`MIN_PAGES`] and [`SAMPLE_PAGES`] pages and at the
//! end of every run; after [`SAMPLE_PAGES`] pages it is frozen. Every page of the site
//! has the runs of words that its site's chrome (all groups merged) covers cut (`clean`)
//! — from the page's text before it is parsed (page dumps, Markdown: so a ticker or a
//! menu can no longer be taken for the title, nor hide the byline and date) or from the
//! article body (HTML) — except a run longer than half of the text (what most of a page
//! is made of is the article, however often it recurs), and nothing at all from a page
//! more than 80% of whose words recur (a templated article, such as a daily price
//! report, or a page saved twice).
//!
//! The learned state ([`Profiles`]) is stored with the index (`index::sites`). A sample
//! page cleaned with an older version of its site's chrome, or whose ambiguous date was
//! read in another order than the site's, is *stale* ([`Profiles::stale`]): the indexer
//! reads it again. Only sample pages can be stale, so what a profile change costs is
//! bounded by [`SAMPLE_PAGES`] pages per group; pages past the samples keep the cleaning
//! they got.

pub mod clean;
mod learn;

use std::collections::BTreeMap;

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::normalize::dates::{DateOrder, NumericDate};
use crate::text::shingles::Shingled;

/// Version of the on-disk form of [`Profiles`].
pub const FORMAT_VERSION: u32 = 1;
/// Pages a group needs before any of its shingles is chrome.
pub const MIN_PAGES: u32 = 5;
/// Share of a group's sample pages a shingle must be on to be chrome.
pub const SHARE_PERCENT: u32 = 60;
/// Pages a shingle must be on to be chrome, however small the group.
pub const MIN_SHARE_PAGES: u32 = 3;
/// Pages a group counts; its chrome is frozen after them.
pub const SAMPLE_PAGES: u32 = 50;
/// Every shingle of a group's first pages is counted; after them, only shingles already
/// seen (a shingle on most pages is on one of the first eight; this bounds a group's
/// counts at about eight pages' shingles).
pub const CANDIDATE_PAGES: u32 = 8;
/// A run of chrome longer than this share of a page's words is kept.
pub const MAX_RUN_PERCENT: usize = 50;
/// Nothing is cut from a page more than this share of whose words are chrome.
pub const MAX_PAGE_PERCENT: usize = 80;
/// Examples of removed chrome kept per group (for `coindex stats --sites`).
pub const EXAMPLES: usize = 3;
/// Pages with an ambiguous numeric date remembered per site until its order is known.
pub const MAX_AMBIGUOUS: usize = 256;
/// Late pages ([`Site::late`]) remembered per site; a parser's lead over the writer is a
/// few hundred pages at most.
pub const MAX_LATE: usize = 1024;

/// What the parser derives from a page for its site.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub site: String,
    /// Publication year, if dated.
    pub year: Option<i32>,
    /// The shingles learned from: of the page's text before parsing (page dumps,
    /// Markdown) or of its article body (HTML).
    pub shingled: Shingled,
    /// What the page's printed date says about the site's order, if all-numeric.
    pub date: Option<NumericDate>,
    /// The order the page's date was read with.
    pub order_used: DateOrder,
    /// The site's chrome version the page was cleaned with.
    pub version_used: u32,
    /// [`hits_key`] of the chrome its text was cut with (texts cut before parsing only).
    pub hits: Option<u64>,
    /// The first few runs of chrome cut from it.
    pub removed: Vec<String>,
}

/// What the parsers need of a site: its chrome (every group's, merged) and date order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    pub version: u32,
    pub order: DateOrder,
    /// Sorted chrome shingles.
    pub chrome: Arc<Vec<u64>>,
    /// A bit per value of a hash's top [`FILTER_BITS`] bits, set for the chrome's:
    /// most shingles of a page are article text, and one bit rules each out where a
    /// binary search of the chrome took ten probes (derived from `chrome`; empty when
    /// it is).
    pub filter: Arc<Vec<u64>>,
}

/// Bits of a shingle hash that index [`View::filter`] (2 KB: a site's few thousand
/// chrome shingles set a small share of its 16,384 bits).
const FILTER_BITS: u32 = 14;

impl View {
    pub fn new(version: u32, order: DateOrder, chrome: Vec<u64>) -> View {
        let mut filter = Vec::new();
        if !chrome.is_empty() {
            filter = vec![0u64; 1 << (FILTER_BITS - 6)];
            for &h in &chrome {
                let b = (h >> (64 - FILTER_BITS)) as usize;
                filter[b / 64] |= 1 << (b % 64);
            }
        }
        View {
            version,
            order,
            chrome: Arc::new(chrome),
            filter: Arc::new(filter),
        }
    }

    pub fn is_chrome(&self, h: u64) -> bool {
        let b = (h >> (64 - FILTER_BITS)) as usize;
        match self.filter.get(b / 64) {
            Some(w) if w & (1 << (b % 64)) == 0 => false,
            _ => self.chrome.binary_search(&h).is_ok(),
        }
    }
}

/// Everything learned, per site key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Profiles {
    pub version: u32,
    pub sites: BTreeMap<String, Site>,
}

impl Default for Profiles {
    fn default() -> Profiles {
        Profiles {
            version: FORMAT_VERSION,
            sites: BTreeMap::new(),
        }
    }
}

/// One site's learned state.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Site {
    /// Pages read (a page read again after an edit counts again).
    pub pages: u64,
    /// `all`, a year (`2024`), or `undated`.
    pub groups: BTreeMap<String, Group>,
    /// Unambiguous all-numeric dates seen in each order.
    pub day_first: u32,
    pub month_first: u32,
    /// Pages whose all-numeric date was read in another order than the site's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ambiguous: Vec<Seen>,
    /// Pages in no group's sample that were cleaned with an older chrome version than
    /// the site had when they were counted: a parser runs ahead of the writer, so a page
    /// can be cleaned before the chrome its group has learned reached the parser, and
    /// arrive once the group is frozen. They are cleaned again like stale samples.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub late: Vec<Seen>,
    /// Bumped whenever any group's chrome changes.
    pub version: u32,
    /// A few runs removed with the current chrome.
    pub examples: Vec<String>,
    /// Which groups' samples hold each page (not saved; rebuilt on first use).
    #[serde(skip)]
    pub sampled: SampleIndex,
}

/// The groups whose sample holds each page, so that counting a page does not compare
/// its path with every sample of every group (a site whose pages span 17 years has 18
/// groups of up to 50 sample pages). Derived from the groups, so it is neither saved
/// nor compared.
#[derive(Debug, Clone, Default)]
pub struct SampleIndex(pub(crate) Option<FxHashMap<String, Vec<String>>>);

impl PartialEq for SampleIndex {
    fn eq(&self, _: &SampleIndex) -> bool {
        true
    }
}

/// A page and the state it was indexed with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Seen {
    pub path: String,
    /// The site's chrome version the page was cleaned with, or the date order (0
    /// unknown, 1 day-first, 2 month-first) its date was read in.
    pub with: u32,
    /// For a page whose text was cut (page dumps, Markdown): [`hits_key`] of the chrome
    /// it was cut with. When the site's chrome changes, the page is cleaned again only
    /// if its text meets other chrome now; `None` (HTML, or profiles saved before the
    /// field): always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hits: Option<u64>,
}

/// A page to read and clean again ([`Profiles::stale`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub path: String,
    pub site: String,
    /// The [`hits_key`] its text was cut with, when only its site's chrome went stale:
    /// if its text meets the same chrome now, parsing it again would give the same
    /// article. `None`: it is parsed again.
    pub hits: Option<u64>,
}

/// The key of the chrome a page's text meets: the distinct shingles of `s` that `view`
/// holds, sorted and hashed. A page's cut depends on its text and on these alone, so
/// two views with the same key cut it the same.
pub fn hits_key(s: &crate::text::shingles::Shingled, view: &View) -> u64 {
    let mut hits: Vec<u64> = s
        .hashes
        .iter()
        .copied()
        .filter(|&h| view.is_chrome(h))
        .collect();
    hits.sort_unstable();
    hits.dedup();
    // the xxh3 of the hashes as little-endian bytes, fed one by one (no byte copy)
    let mut x = xxhash_rust::xxh3::Xxh3::new();
    for h in &hits {
        x.update(&h.to_le_bytes());
    }
    x.digest()
}

/// One group of a site's pages.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Group {
    /// Sample pages counted.
    pub pages: u32,
    /// The sample pages and the site's chrome version each was cleaned with.
    pub sample: Vec<Seen>,
    /// Pages each candidate shingle is on; emptied once frozen.
    #[serde(default, skip_serializing_if = "FxHashMap::is_empty")]
    pub counts: FxHashMap<u64, u32>,
    /// The chrome shingles, sorted.
    pub chrome: Vec<u64>,
    pub frozen: bool,
    /// Counted since chrome was last computed.
    #[serde(skip)]
    pub dirty: bool,
}

impl Site {
    /// The order the site's unambiguous dates show: one order needs more than twice
    /// the votes of the other (a single vote decides a site that shows no other).
    pub fn date_order(&self) -> DateOrder {
        let (d, m) = (self.day_first, self.month_first);
        if d > 2 * m {
            DateOrder::DayFirst
        } else if m > 2 * d {
            DateOrder::MonthFirst
        } else {
            DateOrder::Unknown
        }
    }

    /// Chrome segments learned over all groups (a segment two groups learned counts
    /// once).
    pub fn segments(&self) -> usize {
        self.merged_chrome().len()
    }

    /// Every group's chrome, merged and sorted.
    pub fn merged_chrome(&self) -> Vec<u64> {
        let mut all: Vec<u64> = self
            .groups
            .values()
            .flat_map(|g| g.chrome.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// What the parsers need of the site.
    pub fn view(&self) -> View {
        View::new(self.version, self.date_order(), self.merged_chrome())
    }
}

/// The group key of a publication year.
pub fn year_group(year: Option<i32>) -> String {
    match year {
        Some(y) => y.to_string(),
        None => "undated".to_string(),
    }
}

/// The key of the group of all of a site's pages.
pub const ALL: &str = "all";

fn order_code(o: DateOrder) -> u32 {
    match o {
        DateOrder::Unknown => 0,
        DateOrder::DayFirst => 1,
        DateOrder::MonthFirst => 2,
    }
}

/// What `coindex stats --sites` shows of one site.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteSummary {
    pub site: String,
    /// Pages read.
    pub pages: u64,
    /// Chrome segments (shingles) learned over its groups.
    pub chrome_segments: usize,
    /// `day-first`, `month-first` or `unknown`.
    pub date_order: DateOrder,
    /// Unambiguous numeric dates seen in each order.
    pub day_first_dates: u32,
    pub month_first_dates: u32,
    /// Groups with chrome learned.
    pub groups: Vec<GroupSummary>,
    /// A few runs removed with the current chrome.
    pub examples: Vec<String>,
}

/// One group of [`SiteSummary`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupSummary {
    /// `all`, a year, or `undated`.
    pub group: String,
    pub pages: u32,
    pub chrome_segments: usize,
    /// Its chrome stopped changing after `SAMPLE_PAGES` pages.
    pub frozen: bool,
}

impl Profiles {
    /// One summary per site, most pages first (ties by name), with up to `examples`
    /// examples each.
    pub fn summaries(&self, examples: usize) -> Vec<SiteSummary> {
        let mut out: Vec<SiteSummary> = self
            .sites
            .iter()
            .map(|(name, s)| {
                let ex: Vec<String> = s.examples.iter().take(examples).cloned().collect();
                SiteSummary {
                    site: name.clone(),
                    pages: s.pages,
                    chrome_segments: s.segments(),
                    date_order: s.date_order(),
                    day_first_dates: s.day_first,
                    month_first_dates: s.month_first,
                    groups: s
                        .groups
                        .iter()
                        .filter(|(_, g)| !g.chrome.is_empty())
                        .map(|(k, g)| GroupSummary {
                            group: k.clone(),
                            pages: g.pages,
                            chrome_segments: g.chrome.len(),
                            frozen: g.frozen,
                        })
                        .collect(),
                    examples: ex,
                }
            })
            .collect();
        out.sort_by(|a, b| b.pages.cmp(&a.pages).then_with(|| a.site.cmp(&b.site)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filter only rules out: a view answers as a search of its chrome does, for
    /// the chrome's own hashes and for any other.
    #[test]
    fn the_chrome_filter_answers_as_the_chrome_does() {
        let hash = |i: u64| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes());
        let mut chrome: Vec<u64> = (0..3000).map(hash).collect();
        chrome.extend([0, 1, u64::MAX]);
        chrome.sort_unstable();
        let view = View::new(1, DateOrder::Unknown, chrome.clone());
        for &h in &chrome {
            assert!(view.is_chrome(h));
        }
        let mut others = 0;
        for i in 3000..20_000 {
            let h = hash(i);
            assert_eq!(view.is_chrome(h), chrome.binary_search(&h).is_ok());
            others += u32::from(!view.is_chrome(h));
        }
        assert!(others > 16_000);
        assert!(!View::default().is_chrome(hash(1)));
        assert!(!View::new(1, DateOrder::Unknown, Vec::new()).is_chrome(0));
    }
}
