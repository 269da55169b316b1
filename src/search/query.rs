//! The coindex query language: parsing into an AST, with errors that point at the
//! offending character.
//!
//! ```text
//! query    := clause*                      implicit AND (see `search` for ranking tiers)
//! clause   := ["+" | "-" | "NOT "] group ("OR" group)*
//! group    := "(" query ")" | [field ":"] atom
//! atom     := '"' words '"' ["~" slop] | word ["*"] ["~" [distance]]
//! field    := title | dek | body | tag | source | author | url | id | published | updated
//! dates    := published:2017 | published:2017-09..2017-12 | published:>=2024-01-15 | <, <=, >, >=
//! ```
//! `OR` binds tighter than the implicit AND: `bitcoin OR btc etf` means
//! `(bitcoin OR btc) AND etf`. `AND` may be written and is ignored. This module knows
//! nothing of tantivy; `search` compiles the AST.

use crate::error::{Error, Result};

/// Longest query accepted, in bytes.
pub const MAX_QUERY_LEN: usize = 4096;
/// Most clauses accepted in one query.
pub const MAX_CLAUSES: usize = 256;
/// Deepest nesting of parentheses accepted (the parser recurses once per level).
pub const MAX_DEPTH: usize = 32;

/// How a top-level clause must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// Plain clause: required in the first ranking tier, optional in the second.
    Default,
    /// `+clause`: required.
    Must,
    /// `-clause` / `NOT clause`: excluded.
    MustNot,
}

/// Fields a clause can be scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Title,
    Dek,
    Body,
    Tag,
    Source,
    Author,
    Url,
    Id,
}

/// Date fields usable in ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    Published,
    Updated,
}

/// A query AST node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Word {
        scope: Scope,
        text: String,
        prefix: bool,
        fuzzy: Option<u8>,
    },
    Phrase {
        scope: Scope,
        text: String,
        slop: u32,
    },
    /// Inclusive lower, exclusive upper bounds as date expressions (resolved by `search`).
    DateRange {
        field: DateField,
        from: Option<String>,
        to: Option<String>,
    },
    Or(Vec<Node>),
    Group(Vec<(Occur, Node)>),
}

/// A parsed query: top-level clauses with their occurrence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub clauses: Vec<(Occur, Node)>,
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    clauses: usize,
    depth: usize,
}

fn err(src: &str, pos: usize, message: impl Into<String>) -> Error {
    Error::Query {
        query: src.to_string(),
        pos,
        message: message.into(),
    }
}

/// Parses a query string.
pub fn parse(src: &str) -> Result<Query> {
    if src.len() > MAX_QUERY_LEN {
        return Err(Error::user(format!(
            "query is {} bytes long; the limit is {MAX_QUERY_LEN}",
            src.len()
        )));
    }
    if let Some((i, c)) = src
        .char_indices()
        .find(|(_, c)| c.is_control() && !c.is_whitespace())
    {
        return Err(err(
            src,
            i,
            format!("control character U+{:04X} is not allowed", c as u32),
        ));
    }
    let mut p = Parser {
        src,
        pos: 0,
        clauses: 0,
        depth: 0,
    };
    let clauses = p.clauses(false)?;
    if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
        return Err(err(
            src,
            0,
            if clauses.is_empty() {
                "the query has no search terms"
            } else {
                "the query only excludes terms; add at least one term to search for"
            },
        ));
    }
    Ok(Query { clauses })
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }
    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.src.len() - trimmed.len();
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn keyword(&self, kw: &str) -> bool {
        let r = self.rest();
        r.starts_with(kw)
            && r[kw.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == '(' || c == '"')
    }

    fn clauses(&mut self, nested: bool) -> Result<Vec<(Occur, Node)>> {
        let mut out = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => {
                    if nested {
                        return Err(err(
                            self.src,
                            self.src.len(),
                            "missing `)`: a parenthesis was opened but not closed",
                        ));
                    }
                    return Ok(out);
                }
                Some(')') => {
                    if nested {
                        return Ok(out);
                    }
                    return Err(err(
                        self.src,
                        self.pos,
                        "unexpected `)` with no matching `(`",
                    ));
                }
                _ => {}
            }
            if self.keyword("AND") {
                self.pos += 3;
                continue;
            }
            if self.keyword("OR") {
                return Err(err(self.src, self.pos, "`OR` needs a term on both sides"));
            }
            let mut occur = Occur::Default;
            if self.keyword("NOT") {
                self.pos += 3;
                occur = Occur::MustNot;
            } else if let Some(c @ ('+' | '-')) = self.peek() {
                self.pos += 1;
                occur = if c == '+' {
                    Occur::Must
                } else {
                    Occur::MustNot
                };
                if self.peek().is_none_or(char::is_whitespace) {
                    return Err(err(
                        self.src,
                        self.pos - 1,
                        format!("`{c}` must be followed directly by a term"),
                    ));
                }
            }
            self.skip_ws();
            let mut alts = vec![self.group()?];
            loop {
                let save = self.pos;
                self.skip_ws();
                if self.keyword("OR") {
                    self.pos += 2;
                    self.skip_ws();
                    if self.peek().is_none() || self.peek() == Some(')') {
                        return Err(err(self.src, self.pos, "`OR` needs a term on both sides"));
                    }
                    alts.push(self.group()?);
                } else {
                    self.pos = save;
                    break;
                }
            }
            let node = if alts.len() == 1 {
                alts.pop().expect("one alternative")
            } else {
                Node::Or(alts)
            };
            self.clauses += 1;
            if self.clauses > MAX_CLAUSES {
                return Err(err(
                    self.src,
                    self.pos,
                    format!("too many terms: the limit is {MAX_CLAUSES}"),
                ));
            }
            out.push((occur, node));
        }
    }

    fn group(&mut self) -> Result<Node> {
        let start = self.pos;
        if self.peek() == Some('(') {
            if self.depth >= MAX_DEPTH {
                return Err(err(
                    self.src,
                    start,
                    format!("parentheses nested more than {MAX_DEPTH} deep"),
                ));
            }
            self.pos += 1;
            self.depth += 1;
            let inner = self.clauses(true)?;
            self.depth -= 1;
            self.pos += 1; // ')'
            if inner.is_empty() {
                return Err(err(self.src, start, "empty parentheses"));
            }
            return Ok(Node::Group(inner));
        }
        // field scope
        let rest = self.rest();
        if let Some(colon) = rest.find(':') {
            let name = &rest[..colon];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()) {
                let field_pos = self.pos;
                let lower = name.to_ascii_lowercase();
                let after = &rest[colon + 1..];
                // `http://` is a word, not a field
                if !(after.starts_with("//")) {
                    self.pos += colon + 1;
                    return self.scoped(&lower, field_pos);
                }
            }
        }
        self.atom(Scope::All)
    }

    fn scoped(&mut self, field: &str, field_pos: usize) -> Result<Node> {
        let scope = match field {
            "title" => Scope::Title,
            "dek" | "summary" => Scope::Dek,
            "body" | "text" => Scope::Body,
            "tag" | "tags" => Scope::Tag,
            "source" | "site" => Scope::Source,
            "author" | "authors" | "by" => Scope::Author,
            "url" => Scope::Url,
            "id" => Scope::Id,
            "published" | "date" | "updated" => {
                let df = if field == "updated" {
                    DateField::Updated
                } else {
                    DateField::Published
                };
                return self.date_range(df);
            }
            other => {
                return Err(err(
                    self.src,
                    field_pos,
                    format!(
                        "unknown field `{other}`: use title, dek, body, tag, source, author, url, id, published or updated"
                    ),
                ));
            }
        };
        if self.peek().is_none_or(char::is_whitespace) {
            return Err(err(
                self.src,
                self.pos,
                format!("`{field}:` must be followed by a term"),
            ));
        }
        if self.peek() == Some('(') {
            // field:(a b) applies the scope to every word inside
            let start = self.pos;
            let g = self.group()?;
            return rescope(g, scope, self.src, start);
        }
        self.atom(scope)
    }

    fn date_range(&mut self, field: DateField) -> Result<Node> {
        let start = self.pos;
        let end = self
            .rest()
            .find(|c: char| c.is_whitespace() || c == ')')
            .map(|i| self.pos + i)
            .unwrap_or(self.src.len());
        let v = &self.src[start..end];
        self.pos = end;
        if v.is_empty() {
            return Err(err(
                self.src,
                start,
                "a date field needs a value such as 2017, 2017-09..2017-12 or >=2024-01-15",
            ));
        }
        let check = |s: &str, at: usize| -> Result<String> {
            super::filters::DateBound::parse(s)
                .map(|_| s.to_string())
                .map_err(|m| err(self.src, at, m))
        };
        let (from, to) = if let Some(r) = v.strip_prefix(">=") {
            (Some(check(r, start + 2)?), None)
        } else if let Some(r) = v.strip_prefix("<=") {
            (None, Some(check(r, start + 2)?))
        } else if let Some(r) = v.strip_prefix('>') {
            (Some(format!(">{}", check(r, start + 1)?)), None)
        } else if let Some(r) = v.strip_prefix('<') {
            (None, Some(format!("<{}", check(r, start + 1)?)))
        } else if let Some((a, b)) = v.split_once("..") {
            let a = if a.is_empty() {
                None
            } else {
                Some(check(a, start)?)
            };
            let b = if b.is_empty() {
                None
            } else {
                Some(check(b, start + v.find("..").unwrap_or(0) + 2)?)
            };
            if a.is_none() && b.is_none() {
                return Err(err(self.src, start, "a date range needs at least one end"));
            }
            (a, b)
        } else {
            let c = check(v, start)?;
            (Some(c.clone()), Some(c))
        };
        Ok(Node::DateRange { field, from, to })
    }

    fn atom(&mut self, scope: Scope) -> Result<Node> {
        let start = self.pos;
        if self.peek() == Some('"') {
            self.pos += 1;
            let Some(close) = self.rest().find('"') else {
                return Err(err(
                    self.src,
                    start,
                    "unbalanced quote: the phrase is not closed",
                ));
            };
            let text = self.rest()[..close].to_string();
            self.pos += close + 1;
            let mut slop = 0;
            if self.peek() == Some('~') {
                self.pos += 1;
                slop = self.number(start)?.unwrap_or(2);
            }
            if text.trim().is_empty() {
                return Err(err(self.src, start, "empty phrase"));
            }
            return Ok(Node::Phrase { scope, text, slop });
        }
        let end = self
            .rest()
            .find(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"')
            .map(|i| self.pos + i)
            .unwrap_or(self.src.len());
        let mut word = &self.src[start..end];
        self.pos = end;
        let mut fuzzy = None;
        if let Some(i) = word.rfind('~') {
            let d = &word[i + 1..];
            fuzzy = Some(if d.is_empty() {
                1
            } else {
                match d.parse::<u8>() {
                    Ok(n) if n <= 2 => n,
                    _ => {
                        return Err(err(
                            self.src,
                            start + i,
                            "fuzzy distance must be 0, 1 or 2 (e.g. bitcon~1)",
                        ));
                    }
                }
            });
            word = &word[..i];
        }
        let prefix = word.ends_with('*');
        let word = word.trim_end_matches('*');
        if word.contains('*') || word.contains('?') {
            return Err(err(
                self.src,
                start,
                "wildcards are only supported at the end of a word (e.g. hash*)",
            ));
        }
        if word.is_empty() {
            return Err(err(self.src, start, "expected a search term"));
        }
        Ok(Node::Word {
            scope,
            text: word.to_string(),
            prefix,
            fuzzy,
        })
    }

    fn number(&mut self, at: usize) -> Result<Option<u32>> {
        let digits: String = self
            .rest()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        self.pos += digits.len();
        if digits.is_empty() {
            return Ok(None);
        }
        match digits.parse::<u32>() {
            Ok(n) if n <= 100 => Ok(Some(n)),
            _ => Err(err(self.src, at, "phrase slop must be between 0 and 100")),
        }
    }
}

fn rescope(n: Node, scope: Scope, src: &str, at: usize) -> Result<Node> {
    Ok(match n {
        Node::Word {
            text,
            prefix,
            fuzzy,
            ..
        } => Node::Word {
            scope,
            text,
            prefix,
            fuzzy,
        },
        Node::Phrase { text, slop, .. } => Node::Phrase { scope, text, slop },
        Node::Or(v) => Node::Or(
            v.into_iter()
                .map(|x| rescope(x, scope, src, at))
                .collect::<Result<_>>()?,
        ),
        Node::Group(v) => Node::Group(
            v.into_iter()
                .map(|(o, x)| rescope(x, scope, src, at).map(|x| (o, x)))
                .collect::<Result<_>>()?,
        ),
        Node::DateRange { .. } => {
            return Err(err(
                src,
                at,
                "a date range cannot be nested inside another field",
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(t: &str) -> Node {
        Node::Word {
            scope: Scope::All,
            text: t.into(),
            prefix: false,
            fuzzy: None,
        }
    }

    #[test]
    fn parses_the_language() {
        let q = parse("$ETH etf -grayscale published:2024").unwrap();
        assert_eq!(q.clauses.len(), 4);
        assert_eq!(q.clauses[0], (Occur::Default, w("$ETH")));
        assert_eq!(q.clauses[2], (Occur::MustNot, w("grayscale")));
        assert_eq!(
            q.clauses[3].1,
            Node::DateRange {
                field: DateField::Published,
                from: Some("2024".into()),
                to: Some("2024".into())
            }
        );
        let q = parse("bitcoin OR btc +etf \"spot etf\"~3 title:hack hash* bitcon~1").unwrap();
        assert_eq!(q.clauses[0].1, Node::Or(vec![w("bitcoin"), w("btc")]));
        assert_eq!(q.clauses[1].0, Occur::Must);
        assert_eq!(
            q.clauses[2].1,
            Node::Phrase {
                scope: Scope::All,
                text: "spot etf".into(),
                slop: 3
            }
        );
        assert!(matches!(
            q.clauses[3].1,
            Node::Word {
                scope: Scope::Title,
                ..
            }
        ));
        assert!(matches!(q.clauses[4].1, Node::Word { prefix: true, .. }));
        assert!(matches!(q.clauses[5].1, Node::Word { fuzzy: Some(1), .. }));
        let q = parse("(mt gox) OR bankruptcy published:2014-01..2014-12 updated:>=2024-01-15")
            .unwrap();
        assert_eq!(q.clauses.len(), 3);
        assert!(parse("https://example.com/a").is_ok());
    }

    #[test]
    fn errors_point_at_the_problem() {
        let cases: &[(&str, usize)] = &[
            ("\"spot etf", 0),
            ("(bitcoin", 8),
            ("bitcoin)", 7),
            ("OR bitcoin", 0),
            ("bitcoin OR", 10),
            ("-bitcoin", 0),
            ("color:red", 0),
            ("published:2024-13", 10),
            ("published:", 10),
            ("a\u{0}b", 1),
            ("bit*coin", 0),
            ("x~9", 1),
            ("()", 0),
            ("", 0),
            ("+ x", 0),
        ];
        for (q, pos) in cases {
            match parse(q) {
                Err(Error::Query { pos: p, .. }) => assert_eq!(p, *pos, "query {q:?}"),
                other => panic!("query {q:?} gave {other:?}"),
            }
        }
        let long = "a ".repeat(5000);
        assert!(parse(&long).is_err());
        // deep nesting is refused before it can exhaust the stack
        let deep = "(".repeat(2000) + "x" + &")".repeat(2000);
        match parse(&deep) {
            Err(Error::Query { pos, message, .. }) => {
                assert_eq!(pos, MAX_DEPTH);
                assert!(message.contains("nested more than 32 deep"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let ok = "(".repeat(MAX_DEPTH) + "x" + &")".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
    }
}
