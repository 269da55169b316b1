//! Readability-style main content: which part of a page is the article when its
//! semantic tags are missing or wrong, and which blocks inside it are chrome by their
//! shape (mostly link text) rather than by their names.
//!
//! One pass over the DOM (tag-rule chrome skipped: scripts, nav, header, footer, aside,
//! hidden elements) counts every element's text, link text and commas. Each paragraph
//! (`p`, `pre`, `td`, `blockquote`, or a `div`/`section` holding no block element) of at
//! least [`MIN_PARA`] bytes scores `1 + commas + min(bytes / 100, 3)`, added in full to its
//! parent, half to its grandparent and a third of its level to the three ancestors above
//! (Mozilla Readability's rule). A candidate adds a base for its tag (`div` +5, lists −3,
//! headings −5) and its class/id words (`article`, `content`, `post`, `story`, `body` …
//! +25; `comment`, `related`, `promo`, `share`, `sidebar`, `footer`, `widget` … −25),
//! bounded by what its text earned (at most doubling or cancelling it, so names never
//! outweigh text), and its final score is scaled by `1 − link density`. The best candidate climbs to an
//! ancestor that scores higher, and past wrappers with one child; the article is then the
//! candidate's parent with the children that score at least `max(10, best / 5)` or read
//! as prose (≥ 80 bytes and no chrome word in their class/id; a paragraph under a
//! quarter link text, any other block under a twentieth).
//!
//! Everything is linear in the size of the page: each element is visited a constant
//! number of times (the ancestor walk is capped at five levels), so a 100,000-element
//! page costs what its parse costs. This file decides *which* elements; `html::text`
//! turns them into paragraphs and `html::parse` weighs the result against the semantic
//! root.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use ego_tree::NodeId;
use rustc_hash::{FxHashMap, FxHashSet};
use scraper::{ElementRef, Html, Node};

use super::text::is_dropped;

/// Least bytes of text for a block to count as a paragraph.
const MIN_PARA: u32 = 25;

/// Least final score for a best candidate to be trusted at all.
const MIN_TOP: f64 = 10.0;

/// Elements that make a `div` a container rather than a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dl",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "form",
    "header",
    "footer",
    "nav",
    "aside",
];

/// Blocks that a link-heavy shape drops inside the content (teaser lists, tag clouds,
/// "more stories" tables); a paragraph never is.
const CLEANED: &[&str] = &[
    "div", "section", "ul", "ol", "dl", "table", "tbody", "tr", "figure", "aside", "form",
];

/// Class/id words of the article's own containers.
const POSITIVE: &[&str] = &[
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
    "blog", "story",
];

/// Class/id words of chrome.
const NEGATIVE: &[&str] = &[
    "-ad-",
    "_ad_",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "footer",
    "gdpr",
    "cookie",
    "consent",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "taboola",
    "promo",
    "related",
    "recommend",
    "scroll",
    "share",
    "social",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "widget",
    "newsletter",
    "subscribe",
    "teaser",
    "trending",
    "popular",
];

/// Text counts of one element and everything in it (tag-rule chrome left out).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Stat {
    /// bytes of text, whitespace runs counted as one
    pub(super) text: u32,
    /// bytes of that text inside links
    pub(super) links: u32,
    /// commas (also the CJK and Arabic ones)
    pub(super) commas: u32,
}

impl Stat {
    fn link_density(&self) -> f64 {
        if self.text == 0 {
            0.0
        } else {
            f64::from(self.links) / f64::from(self.text)
        }
    }
}

/// The article as the scores see it, and the blocks inside it that are chrome by shape.
#[derive(Debug, Default)]
pub(super) struct Readability {
    /// the element whose children hold the article: the best candidate's parent
    pub(super) root: Option<NodeId>,
    /// the best-scored block and its ancestors: class words never drop them
    pub(super) keep: FxHashSet<NodeId>,
    /// children of `root` that did not qualify
    pub(super) siblings: FxHashSet<NodeId>,
    /// blocks anywhere on the page that are mostly link text (see [`link_heavy`])
    pub(super) link_heavy: FxHashSet<NodeId>,
    /// bytes of text in the kept part (root minus the dropped children)
    pub(super) text: u32,
    /// the best candidate itself
    pub(super) top: Option<NodeId>,
}

/// Adds a text node's counts: bytes outside whitespace runs plus one per word (the
/// space before it), and commas. One pass over the bytes; the CJK and Arabic commas are
/// looked for only in text that is not ASCII.
fn count_text(t: &str, s: &mut Stat) {
    let mut len = 0usize;
    let mut in_word = false;
    for &c in t.as_bytes() {
        if c.is_ascii_whitespace() {
            in_word = false;
        } else {
            len += 1 + usize::from(!in_word);
            in_word = true;
        }
    }
    let mut commas = memchr::memchr_iter(b',', t.as_bytes()).count();
    if !t.is_ascii() {
        commas += t.matches(['，', '、', '،']).count();
    }
    s.text = s
        .text
        .saturating_add(u32::try_from(len).unwrap_or(u32::MAX));
    s.commas = s
        .commas
        .saturating_add(u32::try_from(commas).unwrap_or(u32::MAX));
}

/// One automaton per word list, matched ASCII-case-insensitively on the raw attribute
/// (no lowercased copy per element).
fn automaton(
    words: &'static [&'static str],
    cell: &'static OnceLock<AhoCorasick>,
) -> &'static AhoCorasick {
    cell.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("class word automaton builds")
    })
}

/// The class/id weight: +25 for article words, −25 for chrome words, per attribute.
fn class_weight(el: &scraper::node::Element) -> f64 {
    static NEG: OnceLock<AhoCorasick> = OnceLock::new();
    static POS: OnceLock<AhoCorasick> = OnceLock::new();
    let (neg, pos) = (automaton(NEGATIVE, &NEG), automaton(POSITIVE, &POS));
    let mut w = 0.0;
    for s in [el.attr("class"), el.id()].into_iter().flatten() {
        if neg.is_match(s) {
            w -= 25.0;
        }
        if pos.is_match(s) {
            w += 25.0;
        }
    }
    w
}

/// The score a candidate starts from: its tag and its class/id words.
fn base_score(el: &scraper::node::Element) -> f64 {
    let tag = match el.name() {
        "div" | "article" | "main" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    tag + class_weight(el)
}

/// True when an element is a paragraph for scoring.
fn is_paragraph(el: ElementRef<'_>) -> bool {
    match el.value().name() {
        "p" | "pre" | "td" | "blockquote" => true,
        "div" | "section" => !el
            .child_elements()
            .any(|c| BLOCKS.contains(&c.value().name())),
        _ => false,
    }
}

/// Elements under `top` in document order, tag-rule chrome skipped (without recursion).
fn elements(top: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let mut out = vec![top];
    let top_id = top.id();
    let mut cur = top.first_child();
    while let Some(n) = cur {
        let mut descend = false;
        if let Node::Element(e) = n.value()
            && !is_dropped(e, false)
            && let Some(el) = ElementRef::wrap(n)
        {
            out.push(el);
            descend = true;
        }
        if descend && let Some(c) = n.first_child() {
            cur = Some(c);
            continue;
        }
        let mut m = n;
        cur = None;
        loop {
            if let Some(s) = m.next_sibling() {
                cur = Some(s);
                break;
            }
            match m.parent() {
                Some(p) if p.id() != top_id => m = p,
                _ => break,
            }
        }
    }
    out
}

/// Scores the page and finds its main content; `top` and `root` are `None` when no
/// block scores enough to be an article (a link hub, an empty page).
pub(super) fn find(doc: &Html) -> Readability {
    let root = doc.root_element();
    let body = root
        .child_elements()
        .find(|e| e.value().name() == "body")
        .unwrap_or(root);
    let order = elements(body);

    // text counts, children before parents
    let mut stats: FxHashMap<NodeId, Stat> =
        FxHashMap::with_capacity_and_hasher(order.len(), Default::default());
    for el in order.iter().rev() {
        let mut s = Stat::default();
        for c in el.children() {
            match c.value() {
                Node::Text(t) => count_text(t, &mut s),
                Node::Element(_) => {
                    if let Some(cs) = stats.get(&c.id()) {
                        s.text = s.text.saturating_add(cs.text);
                        s.links = s.links.saturating_add(cs.links);
                        s.commas = s.commas.saturating_add(cs.commas);
                    }
                }
                _ => {}
            }
        }
        if el.value().name() == "a" {
            s.links = s.text;
        }
        stats.insert(el.id(), s);
    }

    // paragraph scores into their ancestors (the text's share and the tag/class base
    // kept apart: the base may at most double or cancel what the text earned, so a short
    // block named `body` does not outscore a long article named nothing)
    let mut content_of: FxHashMap<NodeId, f64> = FxHashMap::default();
    let mut cands: Vec<NodeId> = Vec::new();
    for el in &order {
        let s = stats[&el.id()];
        if s.text < MIN_PARA || !is_paragraph(*el) {
            continue;
        }
        let content = 1.0 + f64::from(s.commas) + (f64::from(s.text) / 100.0).min(3.0);
        let mut anc = el.parent();
        for level in 0..5 {
            let Some(a) = anc.and_then(ElementRef::wrap) else {
                break;
            };
            let share = match level {
                0 => content,
                1 => content / 2.0,
                l => content / (f64::from(l) * 3.0),
            };
            let slot = content_of.entry(a.id()).or_insert_with(|| {
                cands.push(a.id());
                0.0
            });
            *slot += share;
            if a.id() == body.id() {
                break;
            }
            anc = a.parent();
        }
    }
    let scores: FxHashMap<NodeId, f64> = content_of
        .iter()
        .map(|(&id, &c)| {
            let base = doc
                .tree
                .get(id)
                .and_then(ElementRef::wrap)
                .map_or(0.0, |e| base_score(e.value()));
            (id, c + base.clamp(-c, c))
        })
        .collect();
    let final_score = |id: NodeId| -> f64 {
        let s = stats.get(&id).copied().unwrap_or_default();
        scores.get(&id).copied().unwrap_or(0.0) * (1.0 - s.link_density())
    };

    let mut out = Readability::default();
    // best candidate, the first in document order on a tie
    let mut top: Option<(NodeId, f64)> = None;
    for &id in &cands {
        let f = final_score(id);
        if top.is_none_or(|(_, b)| f > b) {
            top = Some((id, f));
        }
    }
    let Some((best_id, best_score)) = top.filter(|&(_, s)| s >= MIN_TOP) else {
        out.link_heavy = link_heavy(&order, &stats, &out.keep);
        return out;
    };
    let (mut top_id, mut top_score) = (best_id, best_score);
    let node = |id: NodeId| doc.tree.get(id).and_then(ElementRef::wrap);

    // climb to an ancestor that holds more of the article (Readability's parent walk)
    let threshold = top_score / 3.0;
    let mut last = top_score;
    let mut p = node(top_id)
        .and_then(|e| e.parent())
        .and_then(ElementRef::wrap);
    while let Some(pe) = p {
        if pe.id() == body.id() {
            break;
        }
        if let Some(&raw) = scores.get(&pe.id()) {
            let f = raw
                * (1.0
                    - stats
                        .get(&pe.id())
                        .copied()
                        .unwrap_or_default()
                        .link_density());
            if f < threshold {
                break;
            }
            if f > last {
                top_id = pe.id();
                top_score = f;
                break;
            }
            last = f;
        }
        p = pe.parent().and_then(ElementRef::wrap);
    }
    // past wrappers with one child
    while let Some(pe) = node(top_id)
        .and_then(|e| e.parent())
        .and_then(ElementRef::wrap)
    {
        if pe.id() == body.id() || pe.child_elements().count() != 1 {
            break;
        }
        top_id = pe.id();
    }

    let Some(top_el) = node(top_id) else {
        return out;
    };
    let parent = top_el
        .parent()
        .and_then(ElementRef::wrap)
        .filter(|p| p.value().name() != "html")
        .unwrap_or(top_el);
    out.top = Some(top_id);
    out.root = Some(parent.id());
    // the path from the body down to the best-scored block, below the wrappers climbed
    // (whichever root is used)
    let mut a = node(best_id);
    while let Some(e) = a {
        out.keep.insert(e.id());
        if e.id() == body.id() {
            break;
        }
        a = e.parent().and_then(ElementRef::wrap);
    }
    // the siblings that qualify
    let sibling_min = (top_score * 0.2).max(10.0);
    let top_class = top_el.value().attr("class").unwrap_or("");
    let mut text = 0u32;
    if parent.id() != top_id {
        for s in parent.child_elements() {
            let st = stats.get(&s.id()).copied().unwrap_or_default();
            let ok = if s.id() == top_id {
                true
            } else {
                let bonus = if !top_class.is_empty() && s.value().attr("class") == Some(top_class) {
                    top_score * 0.2
                } else {
                    0.0
                };
                // prose: a paragraph-like block with few links, or any block with
                // almost none (a teaser card or a comment list always has some)
                let prose = st.text >= 80
                    && class_weight(s.value()) >= 0.0
                    && (st.link_density() < 0.05 || (st.link_density() < 0.25 && is_paragraph(s)));
                final_score(s.id()) + bonus >= sibling_min
                    || prose
                    || (s.value().name() == "p" && st.text > 0 && st.links == 0 && {
                        let t: String = s.text().collect();
                        t.trim_end().ends_with(['.', '!', '?', '"', '”', '“', '»'])
                    })
            };
            if ok {
                text = text.saturating_add(st.text);
            } else {
                out.siblings.insert(s.id());
            }
        }
    } else {
        text = stats.get(&top_id).map_or(0, |s| s.text);
    }
    out.text = text;
    out.link_heavy = link_heavy(&order, &stats, &out.keep);
    out
}

/// Blocks that are mostly link text and hold no prose (teaser lists, tag clouds, "more
/// stories" tables): more than half of their text in links and fewer than ten commas.
/// The path to the best candidate is never one.
fn link_heavy(
    order: &[ElementRef<'_>],
    stats: &FxHashMap<NodeId, Stat>,
    keep: &FxHashSet<NodeId>,
) -> FxHashSet<NodeId> {
    order
        .iter()
        .filter(|e| CLEANED.contains(&e.value().name()) && !keep.contains(&e.id()))
        .filter(|e| {
            let s = stats.get(&e.id()).copied().unwrap_or_default();
            s.links > 0 && s.link_density() > 0.5 && s.commas < 10
        })
        .map(|e| e.id())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(doc: &Html, id: Option<NodeId>) -> String {
        id.and_then(|i| doc.tree.get(i))
            .and_then(ElementRef::wrap)
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default()
    }

    const PROSE: &str = "Miners sold more coins this week than in any week since the spring, \
        according to on-chain data, and the selling pushed fees down, analysts said.";

    #[test]
    fn picks_the_prose_block_over_menus_and_teasers() {
        let paras: String = (0..6).map(|i| format!("<p>{i} {PROSE}</p>")).collect();
        let teasers: String = (0..8)
            .map(|i| {
                format!("<li><a href=\"/s{i}\">Teaser headline number {i} about coins</a></li>")
            })
            .collect();
        let page = format!(
            "<html><body><div class=\"menu\"><a href=\"/\">Home</a><a href=\"/m\">Markets</a></div>\
             <div class=\"wrap\"><div class=\"story\">{paras}</div>\
             <div class=\"more\"><ul>{teasers}</ul></div></div></body></html>"
        );
        let doc = Html::parse_document(&page);
        let r = find(&doc);
        let top = text_of(&doc, r.top);
        assert!(
            top.contains("0 Miners sold") && top.contains("5 Miners sold"),
            "{top}"
        );
        assert!(!top.contains("Teaser"), "{top}");
        // the teaser list is dropped by its shape: its ul is link text only
        let dropped: Vec<String> = r
            .link_heavy
            .iter()
            .map(|&i| text_of(&doc, Some(i)))
            .collect();
        assert!(
            dropped
                .iter()
                .any(|t| t.contains("Teaser headline number 3")),
            "{dropped:?}"
        );
        assert!(
            !dropped.iter().any(|t| t.contains("Miners sold")),
            "{dropped:?}"
        );
    }

    #[test]
    fn a_page_of_links_has_no_article() {
        let links: String = (0..40)
            .map(|i| format!("<li><a href=\"/{i}\">Headline {i}, with a comma</a></li>"))
            .collect();
        let doc = Html::parse_document(&format!("<html><body><ul>{links}</ul></body></html>"));
        assert!(find(&doc).top.is_none());
    }

    #[test]
    fn counts_skip_scripts_and_collapse_spaces() {
        let doc = Html::parse_document(
            "<html><body><div id=x>a   b,<script>var x = 'long long long';</script><a href=#>cd</a></div></body></html>",
        );
        let r = elements(doc.root_element());
        assert!(r.iter().all(|e| e.value().name() != "script"));
        let mut s = Stat::default();
        count_text("a   b,", &mut s);
        assert_eq!((s.text, s.commas), (5, 1));
        count_text(" 价格，上涨、", &mut s);
        assert_eq!((s.text, s.commas), (5 + 1 + 18, 3));
    }
}
