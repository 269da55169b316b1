//! Counting a page into its site's groups, recomputing a group's chrome, and listing
//! the pages whose cleaning or date is stale. The thresholds are the constants of
//! `sites`; cutting is `clean`'s, and happens on the parser pool.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::{
    ALL, CANDIDATE_PAGES, EXAMPLES, Group, MAX_AMBIGUOUS, MAX_LATE, MIN_PAGES, MIN_SHARE_PAGES,
    Page, Profiles, SAMPLE_PAGES, SHARE_PERCENT, Seen, Site, Stale, View, order_code, year_group,
};
use crate::normalize::dates::{DateOrder, NumericDate};

/// What [`Profiles::observe`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// The site's chrome or date order changed: the parsers need its new [`View`].
    pub view_changed: bool,
}

impl Group {
    /// Counts a page's distinct shingles; `None` when the group is frozen or has
    /// counted this page already (`counted`: a page read again to be cleaned again),
    /// else whether its chrome changed.
    fn count(&mut self, path: &str, counted: bool, distinct: &[u64], with: u32) -> Option<bool> {
        if self.frozen || counted {
            return None;
        }
        self.pages += 1;
        self.sample.push(Seen {
            path: path.to_string(),
            with,
            hits: None,
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
        let mut changed = false;
        if self.pages == MIN_PAGES || self.pages >= SAMPLE_PAGES {
            changed = self.recompute();
        }
        if self.pages >= SAMPLE_PAGES {
            self.frozen = true;
            self.counts = FxHashMap::default();
        }
        Some(changed)
    }

    /// Chrome from the counts: the shingles on enough of the sample's pages. True when
    /// it changed.
    fn recompute(&mut self) -> bool {
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
        if chrome == self.chrome {
            return false;
        }
        self.chrome = chrome;
        true
    }
}

impl Site {
    fn chrome_changed(&mut self) {
        self.version += 1;
        self.examples.clear();
    }
}

impl Profiles {
    /// Counts a page into its site's groups (unless `count` is false, or a group
    /// counted it before), records what it was cleaned with, and keeps examples of
    /// what was cut.
    pub fn observe(&mut self, path: &str, page: &Page, count: bool) -> Observed {
        let site = self.sites.entry(page.site.clone()).or_default();
        let keys = [ALL.to_string(), year_group(page.year)];
        let before = (site.version, site.date_order());
        let index = site.sampled.0.get_or_insert_with(|| {
            let mut index: FxHashMap<String, Vec<String>> = FxHashMap::default();
            for (k, g) in &site.groups {
                for s in &g.sample {
                    index.entry(s.path.clone()).or_default().push(k.clone());
                }
            }
            index
        });
        let mut holding = index.get(path).cloned().unwrap_or_default();
        let seen_before = !holding.is_empty();
        if count {
            // a frozen group counts no more pages: most pages need no sorted shingles
            let open = keys
                .iter()
                .any(|k| site.groups.get(k).is_none_or(|g| !g.frozen));
            let distinct = if open {
                page.shingled.distinct()
            } else {
                Vec::new()
            };
            let mut counted = false;
            let mut changed = false;
            for k in &keys {
                let g = site.groups.entry(k.clone()).or_default();
                let before = holding.contains(k);
                if let Some(c) = g.count(path, before, &distinct, page.version_used) {
                    counted = true;
                    changed |= c;
                    holding.push(k.clone());
                }
            }
            if counted && let Some(index) = &mut site.sampled.0 {
                index.insert(path.to_string(), holding.clone());
            }
            if changed {
                site.chrome_changed();
            }
            if counted || !seen_before {
                site.pages += 1;
                match page.date {
                    Some(NumericDate::Shows(DateOrder::DayFirst)) => site.day_first += 1,
                    Some(NumericDate::Shows(DateOrder::MonthFirst)) => site.month_first += 1,
                    _ => {}
                }
            }
        }
        if page.date == Some(NumericDate::Ambiguous) {
            note_ambiguous(site, path, page.order_used);
        }
        for k in &holding {
            if let Some(s) = site
                .groups
                .get_mut(k)
                .and_then(|g| g.sample.iter_mut().find(|s| s.path == path))
            {
                s.with = page.version_used;
                s.hits = page.hits;
            }
        }
        // a page no sample holds, cleaned with older chrome than the site's: clean it
        // again at the end of the run (and forget it once it is cleaned with the current)
        if holding.is_empty() {
            let late = site.late.iter().position(|s| s.path == path);
            match late {
                Some(i) if page.version_used == site.version => {
                    site.late.swap_remove(i);
                }
                Some(i) => {
                    site.late[i].with = page.version_used;
                    site.late[i].hits = page.hits;
                }
                None if page.version_used != site.version && site.late.len() < MAX_LATE => {
                    site.late.push(Seen {
                        path: path.to_string(),
                        with: page.version_used,
                        hits: page.hits,
                    });
                }
                None => {}
            }
        }
        if page.version_used == site.version {
            for run in &page.removed {
                if site.examples.len() < EXAMPLES && !site.examples.contains(run) {
                    site.examples.push(run.clone());
                }
            }
        }
        Observed {
            view_changed: (site.version, site.date_order()) != before,
        }
    }

    /// Recomputes the chrome of every group that counted pages since it was last
    /// computed (the end of a run).
    pub fn finish(&mut self) {
        for site in self.sites.values_mut() {
            let mut changed = false;
            for g in site.groups.values_mut() {
                if g.dirty && !g.frozen {
                    changed |= g.recompute();
                }
            }
            if changed {
                site.chrome_changed();
            }
        }
    }

    /// Pages indexed with a chrome version or a date order that is no longer their
    /// site's: they must be read and cleaned again, sorted by path.
    pub fn stale(&self) -> Vec<Stale> {
        use std::collections::btree_map::Entry;
        let mut out: BTreeMap<String, Stale> = BTreeMap::new();
        for (key, site) in &self.sites {
            // sample pages and late pages alike
            let seen = site
                .groups
                .values()
                .flat_map(|g| &g.sample)
                .chain(&site.late);
            for s in seen.filter(|s| s.with != site.version) {
                match out.entry(s.path.clone()) {
                    Entry::Vacant(e) => {
                        e.insert(Stale {
                            path: s.path.clone(),
                            site: key.clone(),
                            hits: s.hits,
                        });
                    }
                    // entries that disagree: parse it again
                    Entry::Occupied(mut e) => {
                        if e.get().hits != s.hits || e.get().site != *key {
                            e.get_mut().hits = None;
                        }
                    }
                }
            }
            let order = site.date_order();
            if order != DateOrder::Unknown {
                for s in site
                    .ambiguous
                    .iter()
                    .filter(|s| s.with != order_code(order))
                {
                    // its date is read again, so it is parsed again
                    out.entry(s.path.clone())
                        .or_insert_with(|| Stale {
                            path: s.path.clone(),
                            site: key.clone(),
                            hits: None,
                        })
                        .hits = None;
                }
            }
        }
        out.into_values().collect()
    }

    /// Records that a stale page was checked and its text meets the same chrome as
    /// when it was cut: it counts as cleaned with the site's current version.
    pub fn mark_clean(&mut self, path: &str, site: &str) {
        let Some(site) = self.sites.get_mut(site) else {
            return;
        };
        let version = site.version;
        for g in site.groups.values_mut() {
            for s in g.sample.iter_mut().filter(|s| s.path == path) {
                s.with = version;
            }
        }
        site.late.retain(|s| s.path != path);
    }

    /// What the parsers need of every site.
    pub fn views(&self) -> FxHashMap<String, View> {
        self.sites
            .iter()
            .map(|(k, s)| (k.clone(), s.view()))
            .collect()
    }

    /// Forgets pages that are no longer indexed (deleted files) for their dates; the
    /// counts they gave their groups stay.
    pub fn forget(&mut self, path: &str) {
        for site in self.sites.values_mut() {
            site.ambiguous.retain(|s| s.path != path);
            site.late.retain(|s| s.path != path);
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
            hits: None,
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

    fn stale_paths(p: &Profiles) -> Vec<String> {
        p.stale().into_iter().map(|s| s.path).collect()
    }

    /// A stale sample carries the chrome key it was cut with, so that the indexer can
    /// check it before parsing it again; marking it clean takes it off the list, and
    /// a page whose group entries disagree, or with no key, must be parsed again.
    #[test]
    fn stale_samples_carry_their_chrome_key_until_marked_clean() {
        let mut p = Profiles::default();
        for i in 0..MIN_PAGES as usize {
            feed(&mut p, i, None);
        }
        let site = p.sites.get_mut("wire").unwrap();
        site.version += 1;
        let paths: Vec<String> = site.groups[ALL]
            .sample
            .iter()
            .map(|s| s.path.clone())
            .collect();
        // every group holding a page (`all` and `undated`) records the same key
        for g in site.groups.values_mut() {
            for s in &mut g.sample {
                s.hits = (s.path != paths[0]).then_some(7);
            }
        }
        let stale = p.stale();
        assert_eq!(stale.len(), paths.len());
        assert!(stale.iter().all(|s| s.site == "wire"));
        assert_eq!(stale.iter().filter(|s| s.hits.is_none()).count(), 1);
        // the same page in a second group with another key: no key
        let mut other = p.sites["wire"].groups[ALL].sample[1].clone();
        other.hits = Some(8);
        p.sites
            .get_mut("wire")
            .unwrap()
            .groups
            .entry("2024".into())
            .or_default()
            .sample
            .push(other);
        let st = p.stale();
        assert_eq!(st.iter().find(|s| s.path == paths[1]).unwrap().hits, None);
        assert_eq!(
            st.iter().find(|s| s.path == paths[2]).unwrap().hits,
            Some(7)
        );
        p.mark_clean(&paths[2], "wire");
        p.mark_clean(&paths[2], "no such site");
        assert!(!stale_paths(&p).contains(&paths[2]));
        assert_eq!(stale_paths(&p).len(), paths.len() - 1);
    }
    use crate::sites::clean::{Join, cut};
    use crate::text::shingles::shingle;

    const CHROME: &str =
        "BTC $61,204 +1.2% ETH $3,011 -0.4% News Prices Markets Research Events Podcasts Sign In";
    const FOOTER: &str = "Disclaimer: nothing on this site is investment advice, do your own research before trading.";

    /// An article's own words: different on every page (digits would all read alike).
    fn story(i: usize) -> String {
        const W: &[&str] = &[
            "miners",
            "sold",
            "reserves",
            "after",
            "halving",
            "fees",
            "rose",
            "pool",
            "whales",
            "bought",
            "dip",
            "exchange",
            "halted",
            "withdrawals",
            "audit",
            "found",
            "gap",
        ];
        (0..17)
            .map(|j| W[(i * 7 + j * (i + 3)) % W.len()])
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn body(i: usize) -> String {
        format!("{CHROME}\n\n{}.\n\n{FOOTER}", story(i))
    }

    /// Cleans a page with the site's current view (as a parser does), then observes it.
    fn feed_text(p: &mut Profiles, path: &str, text: &str, year: Option<i32>) -> String {
        let view = p.sites.get("wire").map(Site::view).unwrap_or_default();
        let mut b = text.to_string();
        let shingled = shingle(&b);
        let done = cut(&mut b, &shingled, Join::Body, &[], |h| view.is_chrome(h));
        let pg = Page {
            site: "wire".into(),
            year,
            shingled,
            date: None,
            order_used: DateOrder::Unknown,
            version_used: view.version,
            hits: None,
            removed: done.runs,
        };
        p.observe(path, &pg, true);
        b
    }

    fn feed(p: &mut Profiles, i: usize, year: Option<i32>) -> String {
        feed_text(p, &format!("/a/{i}.txt"), &body(i), year)
    }

    /// A page that no sample holds but was cleaned with older chrome than its site had
    /// when it arrived (a parser ran ahead of the writer) is cleaned again at the end
    /// of the run; cleaned with the current chrome, or marked clean, it is forgotten.
    #[test]
    fn a_late_page_outside_every_sample_is_cleaned_again() {
        let mut p = Profiles::default();
        for i in 0..(SAMPLE_PAGES as usize) {
            feed(&mut p, i, None);
        }
        assert!(p.sites["wire"].groups[ALL].frozen);
        // the first pages, cleaned before anything was learned, are cleaned again
        for i in 0..(MIN_PAGES as usize) {
            feed(&mut p, i, None);
        }
        assert!(p.stale().is_empty(), "{:?}", p.stale());
        let version = p.sites["wire"].version;
        assert!(version > 0);
        let late = |with: u32| Page {
            site: "wire".into(),
            year: None,
            shingled: shingle(&body(99)),
            date: None,
            order_used: DateOrder::Unknown,
            version_used: with,
            hits: Some(5),
            removed: vec![],
        };
        // cleaned with the current chrome: nothing to do
        p.observe("/a/up-to-date.txt", &late(version), true);
        assert!(p.stale().is_empty(), "{:?}", p.stale());
        // cleaned before the site's first chrome reached the parser
        p.observe("/a/late.txt", &late(0), true);
        p.observe("/a/late2.txt", &late(0), true);
        let stale = p.stale();
        assert_eq!(stale_paths(&p), ["/a/late.txt", "/a/late2.txt"]);
        assert_eq!(stale[0].hits, Some(5));
        // cleaned again with the current chrome
        p.observe("/a/late.txt", &late(version), false);
        assert_eq!(stale_paths(&p), ["/a/late2.txt"]);
        p.mark_clean("/a/late2.txt", "wire");
        assert!(p.stale().is_empty());
        p.observe("/a/late3.txt", &late(0), true);
        p.forget("/a/late3.txt");
        assert!(p.stale().is_empty());
    }

    #[test]
    fn chrome_is_learned_at_the_threshold_and_earlier_pages_become_stale() {
        let mut p = Profiles::default();
        for i in 0..5 {
            assert_eq!(feed(&mut p, i, Some(2024)), body(i), "nothing learned yet");
        }
        assert_eq!(p.sites["wire"].version, 1);
        assert_eq!(
            stale_paths(&p),
            ["/a/0.txt", "/a/1.txt", "/a/2.txt", "/a/3.txt", "/a/4.txt"]
        );
        assert_eq!(feed(&mut p, 5, Some(2024)), format!("{}.", story(5)));
        // cleaning them again (not counted twice) leaves nothing stale
        for i in 0..5 {
            assert_eq!(feed(&mut p, i, Some(2024)), format!("{}.", story(i)));
        }
        assert!(p.stale().is_empty(), "{:?}", p.stale());
        let site = &p.sites["wire"];
        assert_eq!(site.pages, 6);
        assert_eq!(site.groups[ALL].pages, 6);
        assert_eq!(site.examples.len(), 2, "{:?}", site.examples);
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
        assert_eq!(
            p.sites["wire"].version, 1,
            "the chrome of 5 pages held at 50"
        );
        assert_eq!(p.stale().len(), MIN_PAGES as usize, "{:?}", p.stale());
    }

    #[test]
    fn each_year_learns_its_own_template() {
        let mut p = Profiles::default();
        let old = "Old menu Home World Coins Altcoins Deals Forum Login";
        for i in 0..6 {
            let text = format!("{old}\n\n{}.", story(i + 40));
            feed_text(&mut p, &format!("/o/{i}"), &text, Some(2019));
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
        // a 2019 page is cleaned of its template and of no article word
        let again = feed_text(
            &mut p,
            "/o/0",
            &format!("{old}\n\n{}.", story(40)),
            Some(2019),
        );
        assert_eq!(again, format!("{}.", story(40)));
    }

    #[test]
    fn unambiguous_dates_decide_the_order_and_ambiguous_pages_are_read_again() {
        let mut p = Profiles::default();
        let mut pg = Page {
            site: "wire".into(),
            year: None,
            shingled: shingle("short"),
            date: Some(NumericDate::Ambiguous),
            order_used: DateOrder::Unknown,
            version_used: 0,
            hits: None,
            removed: vec![],
        };
        p.observe("/x/1", &pg, true);
        assert!(p.stale().is_empty(), "no order known yet");
        pg.date = Some(NumericDate::Shows(DateOrder::DayFirst));
        assert!(p.observe("/x/2", &pg, true).view_changed);
        assert_eq!(p.views()["wire"].order, DateOrder::DayFirst);
        assert_eq!(stale_paths(&p), ["/x/1"]);
        // its date is read again: it is parsed again, whatever chrome it meets
        assert_eq!(p.stale()[0].hits, None);
        pg.date = Some(NumericDate::Ambiguous);
        pg.order_used = DateOrder::DayFirst;
        p.observe("/x/1", &pg, true);
        assert!(p.stale().is_empty());
    }
}
