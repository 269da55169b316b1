//! The byline and date anchor of a page dump kept with its newlines, and what it says
//! about the lines around it.
//!
//! Sites print their headline in one of a few places relative to the byline and date:
//! right above them, or above a dek, a "Quick Take" list or an author box (name, role,
//! bio, `Follow`). Above the headline comes whatever the scraper kept of the page's top:
//! a menu of one or two words a line, a price ticker, a section label, "Skip to main
//! content". So the first byline or date line near the top (the anchor) is found first,
//! and the headline is the best headline-like line in the few lines above it
//! ([`better_title`]). Around the anchor, author boxes ([`is_author_line`]) and header
//! furniture ([`is_furniture`]: roles, handles, reading times, image credits) are read or
//! dropped, wherever they sit between the headline and the text.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

use super::title::title_from_line;
use super::{is_label, is_menu_line, is_prose, name_before_date, re};
use crate::ingest::header::{Line, has_year_digits, is_byline, is_dateline};
use crate::text::boilerplate::{is_chrome_line, is_teaser_header};

/// Lines after the linear guess at the headline within which the anchor is looked for.
const ANCHOR_SEARCH: usize = 40;

/// Lines above the anchor within which the headline is looked for.
const TITLE_WINDOW: usize = 10;

/// Lines from the top of a page in which date lines glued to their neighbours are split.
const DEGLUE_LINES: usize = 60;

/// A date line whose text nodes a scraper joined without a space: a year glued to the
/// time after it (`July 11, 20258:35 AM EDT`) or a zone glued to the next label
/// (`EDTUpdated 2 hours ago`), split again so that the date reads whole.
pub(crate) fn deglue_date_line(l: &str) -> Cow<'_, str> {
    if !has_year_digits(l) {
        return Cow::Borrowed(l);
    }
    static YEAR_TIME: OnceLock<Regex> = OnceLock::new();
    static ZONE_LABEL: OnceLock<Regex> = OnceLock::new();
    let year_time = re(
        &YEAR_TIME,
        r"(?i)((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? [0-9]{1,2},? (?:19|20)[0-9]{2})([0-9]{1,2}[:.][0-9]{2})",
    );
    let zone_label = re(
        &ZONE_LABEL,
        r"([0-9] ?(?i:[ap]\.?m\.?)? ?[A-Z]{2,4})(Updated|Published|Posted)",
    );
    let once = year_time.replace_all(l, "$1, $2");
    match zone_label.replace_all(&once, "$1 $2") {
        Cow::Borrowed(_) => once,
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// Splits glued date lines near the top of a page (see [`deglue_date_line`]).
pub(super) fn deglue_dates(lines: &mut [String]) {
    for l in lines.iter_mut().take(DEGLUE_LINES) {
        if let Cow::Owned(s) = deglue_date_line(l) {
            *l = s;
        }
    }
}

/// An author label on its own line (`Author:`, `Written by`), whose name is on the
/// next line.
fn is_author_label(l: &str) -> bool {
    let l = l
        .trim()
        .trim_end_matches(':')
        .trim_end()
        .to_ascii_lowercase();
    matches!(
        l.as_str(),
        "author" | "authors" | "by" | "written by" | "words by" | "reported by" | "story by"
    )
}

/// Joins an author label on its own line to the name on the next line, as a byline
/// (`Author:` + `Ruth Okafor` → `By Ruth Okafor`).
pub(super) fn join_author_labels(lines: &mut Vec<String>) {
    // `Written by Arjun Mehta` and `Author: Arjun Mehta` are bylines too (`Reviewed
    // by`, `Edited by` are not)
    for l in lines.iter_mut().take(DEGLUE_LINES) {
        for label in [
            "Written by ",
            "Words by ",
            "Reported by ",
            "Story by ",
            "Posted by ",
            "Author: ",
            "Authors: ",
            "By: ",
        ] {
            if l.len() < 120
                && l.get(..label.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(label))
                && l[label.len()..].starts_with(char::is_uppercase)
            {
                *l = format!("By {}", &l[label.len()..]);
            }
        }
    }
    // `Von`, `Por`, `Par`, `Door`, `Di`, `Oleh`, `Av`: `By` in other languages, when a
    // name follows (up to a separator or a date): `Par exemple` stays prose
    let mut foreign: Vec<Option<String>> = vec![None; lines.len().min(DEGLUE_LINES)];
    for (k, l) in lines.iter_mut().take(DEGLUE_LINES).enumerate() {
        if l.len() >= 120 {
            continue;
        }
        let Some((word, rest)) = l.split_once(' ') else {
            continue;
        };
        let by_word = word.eq_ignore_ascii_case("autor:")
            || crate::ingest::header::BY_WORDS
                .iter()
                .any(|b| *b != "by" && word.eq_ignore_ascii_case(b));
        if !by_word {
            continue;
        }
        let name = rest
            .split([',', '|', '·', '•', '–'])
            .next()
            .unwrap_or("")
            .trim();
        if is_name_line(name) {
            foreign[k] = Some(l.clone());
            *l = format!("By {rest}");
        }
    }
    // … and only next to a date (`Par Technology Stock Jumps` is a headline): undone
    // where no date line is on it or within two lines below
    for k in 0..lines.len().min(DEGLUE_LINES) {
        if let Some(orig) = foreign[k].take() {
            let dated = lines[k..lines.len().min(k + 3)]
                .iter()
                .any(|l| is_dateline(l, Line::Dump) || crate::ingest::header::has_year_digits(l));
            if !dated {
                lines[k] = orig;
            }
        }
    }
    let mut k = 0;
    while k + 1 < lines.len().min(DEGLUE_LINES) {
        if is_author_label(&lines[k]) && is_name_line(&lines[k + 1]) {
            let name = lines.remove(k + 1);
            lines[k] = format!("By {name}");
        }
        k += 1;
    }
}

/// A person's name on its own line: two to four capitalized words, no digit, no
/// sentence end (`Jo Park`, `Ana M. Ruiz`).
pub(super) fn is_name_line(l: &str) -> bool {
    // most lines of a page are longer: the cheap test first
    if l.len() > 48 {
        return false;
    }
    let words: Vec<&str> = l.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && l.len() <= 48
        && !words[0].eq_ignore_ascii_case("by")
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
        })
        && !l.ends_with(['!', '?', ':'])
        && !is_chrome_line(l)
}

/// Words that end a role line under an author's name (`Contributor`, `·Reporter`,
/// `Senior Markets Editor`).
const ROLES: &[&str] = &[
    "contributor",
    "reporter",
    "writer",
    "editor",
    "correspondent",
    "columnist",
    "journalist",
    "analyst",
    "author",
    "staff",
    "producer",
    "researcher",
];

/// A role printed under an author's name: at most four words ending in a role word.
fn is_role_line(l: &str) -> bool {
    let l = l.trim_matches(|c: char| c.is_whitespace() || "·•|–—-,".contains(c));
    // `Senior Reporter at CryptoSlate`
    let l = match l.split_once(" at ") {
        Some((role, org)) if org.split_whitespace().count() <= 3 => role,
        _ => l,
    };
    let words: Vec<&str> = l.split_whitespace().collect();
    (1..=4).contains(&words.len())
        && words
            .last()
            .is_some_and(|w| ROLES.contains(&w.to_ascii_lowercase().as_str()))
}

/// A social handle on its own line (`@PRIYARAMAN`).
fn is_handle_line(l: &str) -> bool {
    let l = l.trim();
    l.len() <= 32
        && l.strip_prefix('@').is_some_and(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        })
}

/// A name line that is an author: a role, a handle or a date line follows it, or it
/// starts an author box whose role line is one line further (`Name` / `·Reporter`).
pub(super) fn is_author_line(lines: &[String], i: usize) -> bool {
    let Some(l) = lines.get(i) else { return false };
    is_name_line(l)
        && (name_before_date(lines, i)
            || lines
                .get(i + 1)
                .is_some_and(|n| is_role_line(n) || is_handle_line(n))
            // a widget's short lines between the name and its date (`Read X on`)
            || (lines.get(i + 1).is_some_and(|n| n.split_whitespace().count() <= 4)
                && lines
                    .get(i + 2..(i + 4).min(lines.len()))
                    .is_some_and(|next| next.iter().any(|n| is_dateline(n, Line::Dump)))))
}

/// Header furniture between a headline and the article text that is neither byline nor
/// date: a role or handle line, a reading time (`3 min read`), a `Follow` button, an
/// image credit (`Image: Shutterstock`).
pub(super) fn is_furniture(l: &str) -> bool {
    static READ: OnceLock<Regex> = OnceLock::new();
    static CREDIT: OnceLock<Regex> = OnceLock::new();
    let read = re(
        &READ,
        r"(?i)^(?:reading time:? )?[0-9]{1,3} ?min(?:ute)?s?(?: read| to read)?$",
    );
    let credit = re(
        &CREDIT,
        r"(?i)^(?:image|photo|illustration|credit|image credit|photo credit|cover image)s?: \S",
    );
    let t = l.trim();
    is_role_line(t)
        || is_handle_line(t)
        || read.is_match(t)
        || t.eq_ignore_ascii_case("follow")
        || (credit.is_match(t) && t.split_whitespace().count() <= 8)
}

/// The labels of an article's own summary box (`Key Points`, `Quick Take`): the text
/// starts with them, and they are no tag.
pub(super) fn is_summary_label(l: &str) -> bool {
    const LABELS: &[&str] = &[
        "key points",
        "quick take",
        "key takeaways",
        "takeaways",
        "in brief",
        "in this article",
        "at a glance",
        "summary",
        "highlights",
        "tl;dr",
    ];
    let l = l.trim().trim_end_matches(':').trim_end();
    if l.len() > 24 {
        return false;
    }
    // and two- or three-word ones ending so (`Story Highlights`, `Article Summary`)
    let last = l.rsplit(' ').next().unwrap_or("");
    LABELS.iter().any(|x| x.eq_ignore_ascii_case(l))
        || (l.split(' ').count() <= 3
            && ["highlights", "takeaways", "summary"]
                .iter()
                .any(|x| x.eq_ignore_ascii_case(last)))
}

/// Whether line `i` anchors the header: a byline, a date line or an author's name.
fn is_anchor(lines: &[String], i: usize) -> bool {
    let l = &lines[i];
    (is_byline(l, Line::Dump) && l.len() < 120)
        || is_dateline(l, Line::Dump)
        || is_author_line(lines, i)
}

/// The first anchor at or after `from`, within [`ANCHOR_SEARCH`] lines.
pub(super) fn find_anchor(lines: &[String], from: usize) -> Option<usize> {
    (from..lines.len().min(from + ANCHOR_SEARCH)).find(|&i| is_anchor(lines, i))
}

/// Whether line `k` could be a headline: a title-length line that is none of the
/// header's other parts, and not a ticker's run of prices.
fn headline_like(lines: &[String], k: usize) -> bool {
    let l = &lines[k];
    let words: Vec<&str> = l.split_whitespace().collect();
    let digits = words
        .iter()
        .filter(|w| w.contains(|c: char| c.is_ascii_digit()))
        .count();
    (3..=30).contains(&words.len())
        && digits * 5 < words.len() * 2
        && !l.ends_with(':')
        && title_from_line(l).is_some()
        && !is_chrome_line(l)
        && !is_menu_line(l)
        && !is_byline(l, Line::Dump)
        && !is_dateline(l, Line::Dump)
        && !is_teaser_header(l)
        && !is_author_line(lines, k)
        && !is_furniture(l)
}

/// How much line `k` reads as the headline above the anchor at `anchor`: long enough
/// for a headline, no sentence end, not shouted, in title case, starting a block (the
/// line above it is page furniture), and close to the anchor.
fn score(lines: &[String], k: usize, lo: usize, anchor: usize) -> i32 {
    let l = &lines[k];
    let words: Vec<&str> = l.split_whitespace().collect();
    let mut s = 0;
    if words.len() >= 5 {
        s += 2;
    }
    if l.ends_with('.') {
        s -= 2;
    }
    let letters = || l.chars().filter(|c| c.is_alphabetic());
    if letters().count() >= 3 && !letters().any(char::is_lowercase) {
        s -= 2;
    }
    let long: Vec<&&str> = words
        .iter()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .collect();
    let capped = long
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    if long.len() >= 2 && capped * 5 >= long.len() * 3 {
        s += 1;
    }
    let starts_block = k == lo || {
        let prev = &lines[k - 1];
        is_label(prev) || is_chrome_line(prev) || is_menu_line(prev)
    };
    if starts_block {
        s += 1;
    }
    if anchor - k > 7 {
        s -= 1;
    }
    s
}

/// A better headline than line `guess` (the first line below the page's top furniture)
/// when the page's anchor is at `anchor`: the best-scoring headline-like line of the
/// [`TITLE_WINDOW`] lines above the anchor, not above `top`. Taken only when it scores
/// above the guess and nothing between the guess and it reads as prose (so a headline
/// is never passed over for a line of its own text).
pub(super) fn better_title(
    lines: &[String],
    top: usize,
    anchor: usize,
    guess: usize,
) -> Option<usize> {
    let lo = top.max(anchor.saturating_sub(TITLE_WINDOW));
    let mut best: Option<(i32, usize)> = None;
    for k in lo..anchor {
        if headline_like(lines, k) {
            let s = score(lines, k, lo, anchor);
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, k));
            }
        }
    }
    let Some((s, k)) = best else {
        return headline_after(lines, top.max(guess.min(anchor)), anchor);
    };
    if k <= guess {
        return None;
    }
    if (lo..anchor).contains(&guess)
        && headline_like(lines, guess)
        && score(lines, guess, lo, anchor) >= s
    {
        return None;
    }
    // prose between them is the article's own, unless it is a summary box printed
    // above the headline (`Key Takeaways`, then its points)
    (summary_box_at(lines, guess) || !lines[guess..k].iter().any(|l| is_prose(l))).then_some(k)
}

/// The headline printed right below the byline or date (`By Jane Roe · April 2, 2025`,
/// then the headline): when nothing above the anchor reads as a headline (only short
/// menu and label lines from `from`), the line after it does, if it is headline-like,
/// four words or more, and no sentence.
fn headline_after(lines: &[String], from: usize, anchor: usize) -> Option<usize> {
    let k = anchor + 1;
    let furniture = |l: &String| l.split_whitespace().count() <= 3 && !is_prose(l);
    // a short headline right above the byline is read by the first guess: the line
    // above must be a one-word label (`POLICY`, `Sign up`) or nothing
    let label_above = anchor == from || {
        let above = &lines[anchor - 1];
        above.split_whitespace().count() <= 1 || !above.chars().any(char::is_lowercase)
    };
    (k < lines.len()
        && label_above
        && lines[from..anchor].iter().all(furniture)
        && is_byline(&lines[anchor], Line::Dump)
        && headline_like(lines, k)
        && lines[k].split_whitespace().count() >= 4
        && !lines[k].ends_with(['.', '!', '?']))
    .then_some(k)
}

/// Whether line `k` starts the points of a summary box: the line above it is a summary
/// label.
pub(super) fn summary_box_at(lines: &[String], k: usize) -> bool {
    k > 0 && is_summary_label(&lines[k - 1])
}

/// Where a closing block of page furniture starts: among the last paragraphs, a
/// newsletter header (a label naming a newsletter, or a call to sign up for one) or a
/// label such as `Subscribe to …`, `Disclaimer`, `Explore more on these topics`, with
/// only a short block after it (the promo's text, its email field and button, the
/// topic links: at most 60 words, no line over 25).
pub(super) fn tail_promo_start<S: AsRef<str>>(paras: &[S]) -> Option<usize> {
    static CALL: OnceLock<Regex> = OnceLock::new();
    let call = re(
        &CALL,
        r"(?i)\b(?:subscribe|sign up|sign-up|inbox|never miss|get it|explore|delivered|straight to)\b",
    );
    static LABEL: OnceLock<Regex> = OnceLock::new();
    // the header of a closing block that is no article text: a sign-up call, a
    // disclaimer, a topic list, a reuse notice
    let label = re(
        &LABEL,
        r"(?i)^(?:(?:subscribe to|sign up for|join our|get our) .*|disclaimer|disclosure|editorial disclaimer|about the author|explore more on these topics|more on these topics|related topics|suggested topics|topics|reuse this content)$",
    );
    static CLOSING: OnceLock<Regex> = OnceLock::new();
    let closing = re(
        &CLOSING,
        r"(?i)^(?:copyright\b|©|\(c\) ?(?:19|20)[0-9]{2}|(?:previous|next|prev)(?: (?:article|post|story))?: \S)",
    );
    const LAST: usize = 8;
    // a promo's text is a sentence or two; a paragraph of the article is longer, so an
    // inline promo with article text after it is no closing block
    const BLOCK_WORDS: usize = 60;
    const LINE_WORDS: usize = 25;
    let from = paras.len().saturating_sub(LAST);
    (from..paras.len()).find(|&k| {
        let p = paras[k].as_ref();
        let words = p.split_whitespace().count();
        let lower = p.to_lowercase();
        // a copyright notice, or links to the previous and next article
        let closing = words <= 24 && closing.is_match(p.trim());
        let header = closing
            || (lower.contains("newsletter")
                && ((words <= 6 && is_label(p)) || (words <= 14 && call.is_match(p))))
            || (words <= 6 && is_label(p) && label.is_match(p.trim().trim_end_matches(':')));
        let sizes = || {
            paras[k + 1..]
                .iter()
                .map(|p| p.as_ref().split_whitespace().count())
        };
        // a share bar or a sponsored slot is also printed inside articles: it closes the
        // page only when no sentence of text follows it
        static SHARE: OnceLock<Regex> = OnceLock::new();
        let share = re(
            &SHARE,
            r"(?i)^(?:share(?: this)?(?: article| story| post)?|share full article|teilen|artikel teilen|compartir|compartilhe|partager|condividi|sponsored|advertisement):?$",
        );
        let header = header
            || (words <= 4
                && share.is_match(p.trim())
                && !paras[k + 1..].iter().any(|q| is_prose(q.as_ref())));
        header && sizes().sum::<usize>() <= BLOCK_WORDS && sizes().all(|n| n <= LINE_WORDS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn glued_date_lines_are_split() {
        assert_eq!(
            deglue_date_line("July 11, 20258:35 AM EDTUpdated 2 hours ago"),
            "July 11, 2025, 8:35 AM EDT Updated 2 hours ago"
        );
        assert_eq!(
            deglue_date_line("Jul 11, 2025, 8:35 AM"),
            "Jul 11, 2025, 8:35 AM"
        );
        assert!(matches!(
            deglue_date_line("a line with no year"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn author_boxes_and_furniture() {
        let box_ = lines("Lena Hartmann\nContributor\nLena covers markets.\nFollow");
        assert!(is_author_line(&box_, 0));
        assert!(!is_author_line(&box_, 2));
        assert!(is_furniture("·Reporter"));
        assert!(is_furniture("Senior Markets Editor"));
        assert!(is_furniture("@PRIYARAMAN"));
        assert!(is_furniture("Senior Reporter at CryptoSlate"));
        assert!(is_furniture("3 min read"));
        assert!(is_furniture("Image: Shutterstock"));
        assert!(!is_furniture(
            "The editor resigned on Monday after the vote."
        ));
        assert!(!is_name_line("Bitcoin Hits $100K"));
        assert!(!is_name_line("By Dana Whitfield"));
        let mut l = lines("Author:\nRuth Okafor\nPublish date:");
        join_author_labels(&mut l);
        assert_eq!(l, ["By Ruth Okafor", "Publish date:"]);
    }

    #[test]
    fn the_headline_is_found_above_the_anchor_past_the_menu() {
        let page = lines(
            "Site\nCoins\nNews\nLearn\nBitcoin\n$97,104.00\n1.21%\nNews\nMarkets\n\
             Miners Brace for Difficulty Spike as Hashrate Hits Fresh High\n\
             Public miners are adding machines ahead of next quarter, data shows.\n\
             By Dana Whitfield\nJan 12, 2024",
        );
        let a = find_anchor(&page, 0).unwrap();
        assert_eq!(a, 11);
        assert_eq!(better_title(&page, 0, a, 0), Some(9));
        // a dek without a period still loses to the headline above it
        let page = lines(
            "Markets\nLayer-2 Fees Drop After Upgrade, But Activity Lags Expectations\n\
             Transaction costs fell by more than 90% on some rollups, yet daily users barely moved\n\
             By Tomasz Wilk / July 11, 2025 08:35 am EDT",
        );
        assert_eq!(better_title(&page, 0, 3, 0), Some(1));
        // a headline that the first guess already took stays
        assert_eq!(better_title(&page, 0, 3, 1), None);
        // prose between the guess and a candidate: the guess was the headline
        let page = lines(
            "A Plain Headline Over the Story\n\
             The first paragraph of the article runs for a while and ends here.\n\
             Another Line That Looks Like A Headline Here\nBy Sam Lee",
        );
        assert_eq!(better_title(&page, 0, 3, 0), None);
    }

    #[test]
    fn a_newsletter_promo_at_the_end_is_found_but_not_a_sentence_about_one() {
        let paras = lines(
            "The article's last paragraph ends here.\nDaily Debrief Newsletter\n\
             Start every day with the top news stories.\nYour Email\nGet it!",
        );
        assert_eq!(tail_promo_start(&paras), Some(1));
        let paras = lines("The fund said so in its weekly newsletter to clients.");
        assert_eq!(tail_promo_start(&paras), None);
        let paras = lines("Last paragraph.\nDisclaimer\nThe views are the author's own.");
        assert_eq!(tail_promo_start(&paras), Some(1));
        let paras = lines("Last paragraph.\nSubscribe to The Daily\nGet it in your inbox.");
        assert_eq!(tail_promo_start(&paras), Some(1));
        let paras = lines("Last paragraph.\nCopyright ©2025 A Publisher Inc. All Rights Reserved.");
        assert_eq!(tail_promo_start(&paras), Some(1));
        let paras = lines("Last paragraph.\nPrevious: Another headline\nNext: One more headline");
        assert_eq!(tail_promo_start(&paras), Some(1));
        // an inline promo with the article's paragraphs after it is no closing block
        let long = "The breach was spotted by on-chain investigators who flagged transfers from an address beginning 0x7a3f to a newly created wallet on Saturday morning, the firm said in a statement.";
        let paras = lines(&format!(
            "First.\nDon't miss a story. Subscribe to our newsletter today.\n{long}\n{long}"
        ));
        assert_eq!(tail_promo_start(&paras), None);
        // a subhead of the article is no closing label
        let paras = lines("Paragraph.\nWhat comes next\nThe vote is due in March.");
        assert_eq!(tail_promo_start(&paras), None);
    }
}
