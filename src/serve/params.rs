//! Query-string parameters → the same library settings the CLI's flags become, checked
//! by the same code (`DateInterval::from_flags`, the query parser's limits) and with
//! the CLI's bounds. Unknown, repeated or malformed parameters are refused with a
//! message naming them, never ignored.

use chrono_tz::Tz;

use super::error::{ApiError, Kind};
use crate::config;
use crate::search::aggregate::Period;
use crate::search::{DateInterval, Filters, SearchRequest, Sort};

/// Largest `limit` of one request.
pub const MAX_LIMIT: usize = 1000;
/// Largest `offset + limit`: the CLI's largest `--limit`.
pub const MAX_DEPTH: usize = 10_000;

/// The decoded `key=value` pairs of a query string.
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes `raw`, refusing keys not in `allowed`.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(ApiError::parameter(format!(
                "unknown parameter `{k}`; valid parameters: {}",
                allowed.join(", ")
            )));
        }
        Ok(Params { pairs })
    }

    /// The value of a parameter given at most once; an empty value counts as absent.
    pub fn one(&self, key: &str) -> Result<Option<&str>, ApiError> {
        let mut it = self
            .pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str());
        let first = it.next();
        if it.next().is_some() {
            return Err(ApiError::parameter(format!(
                "`{key}` is given more than once; only `tag` and `source` repeat"
            )));
        }
        Ok(first.filter(|v| !v.is_empty()))
    }

    /// Every non-empty value of a repeatable parameter.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The query `q`, which must be given.
    pub fn required_query(&self) -> Result<String, ApiError> {
        match self.one("q")? {
            Some(q) if !q.trim().is_empty() => Ok(q.to_string()),
            _ => Err(ApiError::parameter(
                "missing parameter `q` (the query, in the language of `coindex search`)",
            )),
        }
    }

    /// An integer in `lo..=hi`, `default` when absent.
    pub fn int(&self, key: &str, default: usize, lo: usize, hi: usize) -> Result<usize, ApiError> {
        match self.one(key)? {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => Err(ApiError::parameter(format!(
                    "`{key}` must be an integer from {lo} to {hi}, not {v:?}"
                ))),
            },
        }
    }

    /// A switch: `true`/`1`, `false`/`0`; absent is false.
    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.one(key)? {
            None | Some("false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(v) => Err(ApiError::parameter(format!(
                "`{key}` must be true or false, not {v:?}"
            ))),
        }
    }

    /// `from`, `to`, `tag` and `source`, read like the flags of the same names.
    pub fn filters(&self, tz: Tz) -> Result<Filters, ApiError> {
        let dates =
            DateInterval::from_flags(self.one("from")?, self.one("to")?, tz).map_err(|e| {
                // the flag parser's message, naming the parameter instead of the flag
                let m = e
                    .to_string()
                    .replacen("--from", "from", 2)
                    .replacen("--to", "to", 1);
                ApiError::new(Kind::Date, m)
            })?;
        Ok(Filters {
            dates,
            tags: self.all("tag"),
            sources: self.all("source"),
        })
    }

    /// `sort`: `relevance` (the default) or `date`.
    /// `collapse=story` (`--collapse story`): one hit, or one count, per story.
    pub fn collapse(&self) -> Result<bool, ApiError> {
        match self.one("collapse")? {
            None => Ok(false),
            Some("story") => Ok(true),
            Some(v) => Err(ApiError::parameter(format!(
                "`collapse` must be story, not {v:?}"
            ))),
        }
    }

    pub fn sort(&self) -> Result<Sort, ApiError> {
        match self.one("sort")? {
            None | Some("relevance") => Ok(Sort::Relevance),
            Some("date") => Ok(Sort::Date),
            Some(v) => Err(ApiError::parameter(format!(
                "`sort` must be relevance or date, not {v:?}"
            ))),
        }
    }

    /// `by` of the timeline: `year` (the CLI's default), `month` or `week`.
    pub fn period(&self) -> Result<Period, ApiError> {
        match self.one("by")? {
            None | Some("year") => Ok(Period::Year),
            Some("month") => Ok(Period::Month),
            Some("week") => Ok(Period::Week),
            Some(v) => Err(ApiError::parameter(format!(
                "`by` must be year, month or week, not {v:?}"
            ))),
        }
    }
}

/// The parameters of `/api/search`.
pub const SEARCH_KEYS: &[&str] = &[
    "q", "from", "to", "tag", "source", "limit", "offset", "sort", "snippets", "fuzzy", "recent",
    "collapse",
];

/// A search request and how many leading hits to leave out.
pub struct Search {
    pub request: SearchRequest,
    pub offset: usize,
}

/// Reads `/api/search`'s parameters. The engine ranks `offset + limit` hits and the
/// first `offset` are dropped, so ranks stay those of the whole result list.
pub fn search(p: &Params, tz: Tz) -> Result<Search, ApiError> {
    let query = p.required_query()?;
    let limit = p.int("limit", 10, 1, MAX_LIMIT)?;
    let offset = p.int("offset", 0, 0, MAX_DEPTH - 1)?;
    if offset + limit > MAX_DEPTH {
        return Err(ApiError::parameter(format!(
            "`offset` + `limit` must be at most {MAX_DEPTH} (the deepest result `coindex search --limit` reaches)"
        )));
    }
    Ok(Search {
        request: SearchRequest {
            query,
            filters: p.filters(tz)?,
            limit: offset + limit,
            sort: p.sort()?,
            fuzzy: p.flag("fuzzy")?,
            recent: p.flag("recent")?,
            collapse: p.collapse()?,
            snippets: p.int("snippets", 1, 1, 10)?,
            snippet_len: config::SNIPPET_LEN,
            timezone: tz,
        },
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Search, ApiError> {
        Params::parse(Some(raw), SEARCH_KEYS).and_then(|p| search(&p, chrono_tz::UTC))
    }

    #[test]
    fn search_parameters_become_the_cli_request() {
        let s =
            parse("q=spot+etf&from=2024-01&tag=etfs&tag=sec&limit=5&offset=10&sort=date&fuzzy=1")
                .unwrap();
        let r = &s.request;
        assert_eq!((r.query.as_str(), r.limit, s.offset), ("spot etf", 15, 10));
        assert_eq!(r.filters.tags, vec!["etfs", "sec"]);
        assert!(r.fuzzy && r.sort == Sort::Date && r.filters.dates.from.is_some());
        // empty values are absent, as an empty form field sends them
        let s = parse("q=x&from=&to=&tag=").unwrap();
        assert!(s.request.filters.dates.from.is_none() && s.request.filters.tags.is_empty());
    }

    #[test]
    fn bad_parameters_are_refused_by_name() {
        for (raw, kind, needle) in [
            ("", Kind::Parameter, "missing parameter `q`"),
            ("q=+", Kind::Parameter, "missing parameter `q`"),
            ("q=x&lmit=3", Kind::Parameter, "unknown parameter `lmit`"),
            (
                "q=x&limit=0",
                Kind::Parameter,
                "`limit` must be an integer from 1 to 1000",
            ),
            ("q=x&limit=1001", Kind::Parameter, "`limit`"),
            ("q=x&limit=ten", Kind::Parameter, "`limit`"),
            ("q=x&offset=9999&limit=2", Kind::Parameter, "at most 10000"),
            ("q=x&sort=new", Kind::Parameter, "`sort`"),
            ("q=x&fuzzy=yes", Kind::Parameter, "`fuzzy`"),
            ("q=x&q=y", Kind::Parameter, "more than once"),
            ("q=x&from=2024-13", Kind::Date, "from: "),
            ("q=x&from=2024&to=2023", Kind::Date, "from is after to"),
        ] {
            let e = parse(raw)
                .err()
                .unwrap_or_else(|| panic!("{raw} was accepted"));
            assert_eq!(e.kind, kind, "{raw}: {}", e.message);
            assert!(e.message.contains(needle), "{raw}: {}", e.message);
        }
    }
}
