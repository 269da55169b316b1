//! Counting a page into its site's groups, recomputing a group's chrome, cleaning a page
//! with it, and listing the pages whose cleaning or date is stale. The thresholds are
//! the constants of `sites`.

use rustc_hash::FxHashMap;

use super::clean::cut;
use super::{
    ALL, CANDIDATE_PAGES, EXAMPLES, Group, MAX_AMBIGUOUS, MIN_PAGES, MIN_SHARE_PAGES, Page,
    Profiles, SAMPLE_PAGES, SHARE_PERCENT, Seen, Site, order_code, year_group,
};
use crate::normalize::dates::{DateOrder, NumericDate};

/// What [`Profiles::observe`] did to a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Words cut from the body.
    pub words_removed: usize,
    /// The site's date order changed (the parsers must learn it).
    pub order_changed: bool,
}

impl Group {
    /// Counts a page's distinct shingles; false when the group is frozen or has
    /// counted this page already (a page read again to be re-cleaned).
    fn count(&mut self, path: &str, distinct: &[u64]) -> bool {
        if self.frozen || self.sample.iter().any(|s| s.path == path) {
            return false;
        }
        self.pages += 1;
        self.sample.push(Seen {
            path: path.to_string(),
            with: self.version,
        });
        if self.pages <= CANDIDATE_PAGES {
            for &h in distinct {
                *self.counts.entry(h).or_insert(0) += 1;
            }
        } else {
            for h in distinct {
                if let Some(c) = self.counts.get_mut(h) {
                    *c += 1;
                }
            }
        }
        self.dirty = true;
        if self.pages == MIN_PAGES || self.pages >= SAMPLE_PAGES {
            self.recompute();
        }
        if self.pages >= SAMPLE_PAGES {
            self.frozen = true;
            self.counts = FxHashMap::default();
        }
        true
    }

    /// Chrome from the counts: the shingles on enough of the sample's pages.
    fn recompute(&mut self) {
        self.dirty = false;
        let need = MIN_SHARE_PAGES.max((self.pages * SHARE_PERCENT).div_ceil(100));
        let mut chrome: Vec<u64> = if self.pages < MIN_PAGES {
            Vec::new()
        } else {
            self.counts
                .iter()
                .filter(|&(_, &c)| c >= need)
                .map(|(&h, _)| h)
                .collect()
        };
        chrome.sort_unstable();
        if chrome != self.chrome {
            self.chrome = chrome;
            self.version += 1;
            self.examples.clear();
        }
    }

    fn is_chrome(&self, h: u64) -> bool {
        self.chrome.binary_search(&h).is_ok()
    }
}

impl Profiles {
    /// Counts a page into its site (unless `count` is false, or it was counted before),
    /// then cuts the chrome its site has learned from `body`, which must be the text
    /// `page.shingled` was made from.
    pub fn observe(&mut self, path: &str, page: &Page, body: &mut String, count: bool) -> Observed {
        let site = self.sites.entry(page.site.clone()).or_default();
        let keys = [ALL.to_string(), year_group(page.year)];
        let mut out = Observed::default();
        if count {
            let distinct = page.shingled.distinct();
            let mut counted = false;
            for k in &keys {
                counted |= site
                    .groups
                    .entry(k.clone())
                    .or_default()
                    .count(path, &distinct);
            }
            if counted {
                site.pages += 1;
                let before = site.date_order();
                match page.date {
                    Some(NumericDate::Shows(DateOrder::DayFirst)) => site.day_first += 1,
                    Some(NumericDate::Shows(DateOrder::MonthFirst)) => site.month_first += 1,
                    _ => {}
                }
                out.order_changed = site.date_order() != before;
            }
        }
        if page.date == Some(NumericDate::Ambiguous) {
            note_ambiguous(site, path, page.order_used);
        }
        let groups: Vec<&Group> = keys.iter().filter_map(|k| site.groups.get(k)).collect();
        if groups.iter().any(|g| !g.chrome.is_empty()) {
            let done = cut(body, &page.shingled, |h| groups.iter().any(|g| g.is_chrome(h)));
            out.words_removed = done.words;
            for k in &keys {
                if let Some(g) = site.groups.get_mut(k)
                    && !g.chrome.is_empty()
                {
                    for run in &done.runs {
                        if g.examples.len() < EXAMPLES && !g.examples.contains(run) {
                            g.examples.push(run.clone());
                        }
                    }
                }
            }
        }
        for k in &keys {
            if let Some(g) = site.groups.get_mut(k)
                && let Some(s) = g.sample.iter_mut().find(|s| s.path == path)
            {
                s.with = g.version;
            }
        }
        out
    }

    /// Recomputes the chrome of every group that counted pages since it was last
    /// computed (the end of a run).
    pub fn finish(&mut self) {
        for site in self.sites.values_mut() {
            for g in site.groups.values_mut() {
                if g.dirty && !g.frozen {
                    g.recompute();
                }
            }
        }
    }

    /// Pages indexed with a chrome version or a date order that is no longer their
    /// site's: they must be read and cleaned again.
    pub fn stale(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for site in self.sites.values() {
            for g in site.groups.values() {
                out.extend(
                    g.sample
                        .iter()
                        .filter(|s| s.with != g.version)
                        .map(|s| s.path.clone()),
                );
            }
            let order = site.date_order();
            if order != DateOrder::Unknown {
                out.extend(
                    site.ambiguous
                        .iter()
                        .filter(|s| s.with != order_code(order))
                        .map(|s| s.path.clone()),
                );
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The sites whose date order is known.
    pub fn date_orders(&self) -> FxHashMap<String, DateOrder> {
        self.sites
            .iter()
            .map(|(k, s)| (k.clone(), s.date_order()))
            .filter(|(_, o)| *o != DateOrder::Unknown)
            .collect()
    }

    /// Forgets pages that are no longer indexed (deleted files).
    pub fn forget(&mut self, path: &str) {
        for site in self.sites.values_mut() {
            site.ambiguous.retain(|s| s.path != path);
        }
    }
}

/// Remembers a page whose ambiguous date was read in `used`, until it is read in the
/// site's order.
fn note_ambiguous(site: &mut Site, path: &str, used: DateOrder) {
    let code = order_code(used);
    if let Some(s) = site.ambiguous.iter_mut().find(|s| s.path == path) {
        s.with = code;
    } else if site.ambiguous.len() < MAX_AMBIGUOUS {
        site.ambiguous.push(Seen {
            path: path.to_string(),
            with: code,
        });
    }
    let order = site.date_order();
    if order != DateOrder::Unknown {
        site.ambiguous.retain(|s| s.with != order_code(order));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::shingles::shingle;

    const CHROME: &str = "BTC $61,204 +1.2% ETH $3,011 -0.4% News Prices Markets Research Events Podcasts Sign In";
    const FOOTER: &str = "Disclaimer: nothing on this site is investment advice, do your own research before trading.";

    /// An article's own words: different on every page (digits would all read alike).
    fn story(i: usize) -> String {
        const W: &[&str] = &[
            "miners", "sold", "reserves", "after", "halving", "fees", "rose", "pool", "whales",
            "bought", "dip", "exchange", "halted", "withdrawals", "audit", "found", "gap",
        ];
        (0..17)
            .map(|j| W[(i * 7 + j * (i + 3)) % W.len()])
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn body(i: usize) -> String {
        format!("{CHROME}\n\n{}.\n\n{FOOTER}", story(i))
    }

    fn page(text: &str, year: Option<i32>) -> Page {
        Page {
            site: "wire".into(),
            year,
            shingled: shingle(text),
            date: None,
            order_used: DateOrder::Unknown,
        }
    }

    fn feed(p: &mut Profiles, i: usize, year: Option<i32>) -> String {
        let mut b = body(i);
        let pg = page(&b, year);
        p.observe(&format!("/a/{i}.txt"), &pg, &mut b, true);
        b
    }

    #[test]
    fn chrome_is_learned_at_the_threshold_and_earlier_pages_become_stale() {
        let mut p = Profiles::default();
        for i in 0..4 {
            assert_eq!(feed(&mut p, i, Some(2024)), body(i), "nothing learned yet");
        }
        let fifth = feed(&mut p, 4, Some(2024));
        assert_eq!(fifth, format!("{}.", story(4)));
        let stale = p.stale();
        assert_eq!(stale, ["/a/0.txt", "/a/1.txt", "/a/2.txt", "/a/3.txt"]);
        // cleaning them again (not counted twice) leaves nothing stale
        for i in 0..4 {
            let mut b = body(i);
            let pg = page(&b, Some(2024));
            p.observe(&format!("/a/{i}.txt"), &pg, &mut b, true);
            assert!(!b.contains("Disclaimer"), "{b}");
        }
        assert!(p.stale().is_empty(), "{:?}", p.stale());
        assert_eq!(p.sites["wire"].pages, 5);
        assert_eq!(p.sites["wire"].groups[ALL].pages, 5);
        assert!(!p.sites["wire"].groups[ALL].examples.is_empty());
    }

    #[test]
    fn a_group_freezes_after_its_sample() {
        let mut p = Profiles::default();
        for i in 0..(SAMPLE_PAGES as usize + 3) {
            feed(&mut p, i, None);
        }
        let g = &p.sites["wire"].groups[ALL];
        assert!(g.frozen && g.counts.is_empty());
        assert_eq!(g.pages, SAMPLE_PAGES);
        assert_eq!(g.sample.len(), SAMPLE_PAGES as usize);
        p.finish();
        assert!(p.stale().len() <= MIN_PAGES as usize, "{:?}", p.stale());
    }

    #[test]
    fn each_year_learns_its_own_template() {
        let mut p = Profiles::default();
        let old = "Old menu Home World Coins Altcoins Deals Forum Login";
        for i in 0..6 {
            let mut b = format!("{old}\n\nStory {i} about the fork{i} and miners{i} and fees{i} at height{i}.");
            let pg = page(&b, Some(2019));
            p.observe(&format!("/o/{i}"), &pg, &mut b, true);
        }
        for i in 0..6 {
            feed(&mut p, i, Some(2024));
        }
        p.finish();
        let site = &p.sites["wire"];
        assert!(!site.groups["2019"].chrome.is_empty());
        assert!(!site.groups["2024"].chrome.is_empty());
        // twelve pages, six of each template: neither is on 60% of all of them
        assert!(site.groups[ALL].chrome.is_empty());
    }

    #[test]
    fn unambiguous_dates_decide_the_order_and_ambiguous_pages_are_read_again() {
        let mut p = Profiles::default();
        let mut b = String::from("short");
        let mut pg = page(&b, None);
        pg.date = Some(NumericDate::Ambiguous);
        p.observe("/x/1", &pg, &mut b, true);
        assert!(p.stale().is_empty(), "no order known yet");
        pg.date = Some(NumericDate::Shows(DateOrder::DayFirst));
        let o = p.observe("/x/2", &pg, &mut b, true);
        assert!(o.order_changed);
        assert_eq!(p.date_orders()["wire"], DateOrder::DayFirst);
        assert_eq!(p.stale(), ["/x/1"]);
        pg.date = Some(NumericDate::Ambiguous);
        pg.order_used = DateOrder::DayFirst;
        p.observe("/x/1", &pg, &mut b, true);
        assert!(p.stale().is_empty());
    }
}
