//! Cutting chrome from a text (a page before it is parsed, or an article body): the runs
//! of words that chrome shingles cover are removed, unless a run is most of the text
//! (see [`MAX_RUN_PERCENT`]) or nearly the whole text recurs ([`MAX_PAGE_PERCENT`]). Deciding what is chrome is `learn`'s job.

use super::{MAX_PAGE_PERCENT, MAX_RUN_PERCENT};
use crate::text::push_collapsed;
use crate::text::shingles::{SHINGLE, Shingled};

/// What a cut removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cut {
    /// Words removed.
    pub words: usize,
    /// The first few runs removed, whitespace collapsed, at most 120 bytes each.
    pub runs: Vec<String>,
}

/// How a cut text is put back together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// An article body: a cut leaves a space, whitespace is collapsed and paragraphs
    /// left without a letter or digit go.
    Body,
    /// A page's text before it is parsed: a cut leaves a paragraph break (the pieces
    /// around it were separate elements) or, in a page saved on one line, a space; the
    /// parser does the rest.
    Page,
}

/// Removes from `body` the runs of words covered by a shingle `is_chrome` accepts,
/// except words inside the byte ranges `keep` (sorted). `s` must be the shingles of
/// `body` as it is.
pub fn cut(
    body: &mut String,
    s: &Shingled,
    join: Join,
    keep: &[(usize, usize)],
    is_chrome: impl Fn(u64) -> bool,
) -> Cut {
    let n = s.spans.len();
    let mut covered = vec![false; n];
    let mut any = false;
    for (i, &h) in s.hashes.iter().enumerate() {
        if is_chrome(h) {
            covered[i..i + SHINGLE].iter_mut().for_each(|c| *c = true);
            any = true;
        }
    }
    let mut out = Cut::default();
    if !any {
        return out;
    }
    // a page nearly all of whose words recur is a templated article (a daily price
    // report) or a page saved again, not chrome around an article
    let total = covered.iter().filter(|&&c| c).count();
    if total * 100 > n * MAX_PAGE_PERCENT {
        return out;
    }
    // a run that is most of the text is the article, however often it recurs
    let mut i = 0;
    while i < n {
        let start = i;
        while i < n && covered[i] == covered[start] {
            i += 1;
        }
        if covered[start] && (i - start) * 100 > n * MAX_RUN_PERCENT {
            covered[start..i].iter_mut().for_each(|c| *c = false);
        }
    }
    for (c, &(a, b)) in covered.iter_mut().zip(&s.spans) {
        let (a, b) = (a as usize, b as usize);
        if *c && keep.iter().any(|&(ka, kb)| a < kb && ka < b) {
            *c = false;
        }
    }
    // maximal runs of covered words, as byte ranges
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        if !covered[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && covered[i] {
            i += 1;
        }
        out.words += i - start;
        ranges.push((s.spans[start].0 as usize, s.spans[i - 1].1 as usize));
    }
    if ranges.is_empty() {
        return out;
    }
    // a page saved on one line stays on one line: a break would make it look like a
    // page of lines to the parser
    let page_sep = if body.contains('\n') { "\n\n" } else { " " };
    let mut kept = String::with_capacity(body.len());
    let mut pos = 0;
    for &(a, b) in &ranges {
        if out.runs.len() < 3 {
            let mut run = String::new();
            push_collapsed(&mut run, &body[a..b]);
            out.runs.push(truncate(run, 120));
        }
        kept.push_str(&body[pos..a]);
        kept.push_str(if join == Join::Page { page_sep } else { " " });
        pos = b;
    }
    kept.push_str(&body[pos..]);
    if join == Join::Page {
        *body = kept;
        return out;
    }
    let mut clean = String::with_capacity(kept.len());
    for para in kept.split("\n\n") {
        if !para.chars().any(char::is_alphanumeric) {
            continue;
        }
        if !clean.is_empty() {
            clean.push_str("\n\n");
        }
        push_collapsed(&mut clean, para.trim());
    }
    *body = clean;
    out
}

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::shingles::shingle;

    fn chrome_of(text: &str) -> Vec<u64> {
        shingle(text).hashes
    }

    #[test]
    fn covered_runs_go_and_paragraphs_stay() {
        let menu = "Home | News | Prices | Markets | Research | Events";
        let mut body = format!(
            "{menu}\n\nMiners sold coins on Monday.\n\nThe pool said fees rose. {menu} It kept the rest."
        );
        let s = shingle(&body);
        let chrome = chrome_of(menu);
        let done = cut(&mut body, &s, Join::Body, &[], |h| chrome.contains(&h));
        assert_eq!(
            body,
            "Miners sold coins on Monday.\n\nThe pool said fees rose. It kept the rest."
        );
        assert_eq!(done.words, 12);
        assert_eq!(done.runs, [menu, menu]);
    }

    #[test]
    fn a_page_cut_separates_the_glued_pieces_around_it() {
        let menu = "News Prices Markets Research Events Podcasts";
        let mut page = format!("BTC up\n{menu} Miners Sell Their Coins By Ana Ruiz ...");
        let s = shingle(&page);
        let chrome = chrome_of(menu);
        cut(&mut page, &s, Join::Page, &[], |h| chrome.contains(&h));
        assert_eq!(page, "BTC up\n\n\n Miners Sell Their Coins By Ana Ruiz ...");
        // one line stays one line
        let mut page = format!("BTC up {menu} Miners Sell Their Coins");
        let s = shingle(&page);
        cut(&mut page, &s, Join::Page, &[], |h| chrome.contains(&h));
        assert_eq!(page, "BTC up   Miners Sell Their Coins");
    }

    #[test]
    fn kept_ranges_are_not_cut() {
        let line = "By Ana Ruiz Published Jan 5, 2024 for the Desk Review";
        let mut page =
            format!("{line} The miners sold their coins after the halving as fees rose.");
        let s = shingle(&page);
        let chrome = chrome_of(line);
        let keep = [(0, 33)];
        cut(&mut page, &s, Join::Page, &keep, |h| chrome.contains(&h));
        assert_eq!(
            page,
            "By Ana Ruiz Published Jan 5, 2024   The miners sold their coins after the halving as fees rose."
        );
    }

    #[test]
    fn a_run_that_is_most_of_the_body_is_kept() {
        let text = "The exchange said all withdrawals resume on Friday after the audit. Thanks.";
        let mut body = text.to_string();
        let s = shingle(&body);
        let chrome =
            chrome_of("The exchange said all withdrawals resume on Friday after the audit.");
        let done = cut(&mut body, &s, Join::Body, &[], |h| chrome.contains(&h));
        assert_eq!(body, text);
        assert_eq!(done, Cut::default());
    }

    #[test]
    fn a_page_that_nearly_all_recurs_is_left_alone() {
        // a templated daily report: only its numbers differ from the site's others
        let text = "Bitcoin price today: BTC trades at $61,204 after a 2.1% move as volume reached $31bn on major venues; Ether at $3,011. Published by the data desk.";
        let mut body = text.to_string();
        let s = shingle(&body);
        let done = cut(&mut body, &s, Join::Page, &[(125, 148)], |_| true);
        assert_eq!((body.as_str(), done), (text, Cut::default()));
    }

    #[test]
    fn nothing_matched_leaves_the_body_as_it_is() {
        let mut body = "Short  body\n\n  with odd spacing".to_string();
        let s = shingle(&body);
        cut(&mut body, &s, Join::Body, &[], |_| false);
        assert_eq!(body, "Short  body\n\n  with odd spacing");
    }
}
