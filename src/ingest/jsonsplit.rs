//! A JSON export split into its records while it is read: the elements of a top-level
//! array, or of the array an object holds under `articles`, `data`, `items`, … (also
//! one level deeper, as `records::parse_json` finds them), handed over one at a time as
//! bytes, so that a file of any size is read in bounded memory.
//!
//! It tracks only what finding element boundaries needs (strings, escapes, nesting);
//! each element is parsed by serde_json afterwards (`records::json_record`), which
//! reports whatever is wrong inside it. Values around the list are skipped, except the
//! few scalars that name the container's source (when they come before the list). A
//! top-level object with no list is captured (up to the record limit) and handed back
//! whole, to be read as one article.
//!
//! It does not map fields or know the file's encoding (see `records`, `stream`).

use std::io::BufRead;

use serde_json::{Map, Value};

use super::fields::norm_key;
use super::records::{MAX_RECORD_BYTES, RECORD_KEYS};

/// What the splitter hands over.
pub(super) enum Piece<'a> {
    /// Element `n` (from 1) of the list of records: its bytes, or None when it is larger
    /// than the record limit; and the container's scalars read before the list.
    Record(usize, Option<&'a [u8]>, &'a Map<String, Value>),
    /// The document is one object with no list of records: its bytes (None: larger
    /// than the record limit).
    Whole(Option<&'a [u8]>),
}

/// Keys of a container whose scalar values are kept for `records::container_source`.
const SOURCE_KEYS: &[&str] = &[
    "source",
    "site",
    "sitename",
    "publisher",
    "version",
    "title",
];

struct Splitter<'f, R> {
    r: R,
    /// Bytes consumed so far (for error positions).
    pos: u64,
    /// A copy of everything consumed while a top-level object is read and no list has
    /// been found (None once it went over the record limit or a list was found).
    tee: Option<Vec<u8>>,
    found: bool,
    n: usize,
    buf: Vec<u8>,
    /// Container scalars: level 1 (the top-level object) and level 2.
    ctx: [Map<String, Value>; 2],
    merged: Map<String, Value>,
    on: &'f mut dyn FnMut(Piece<'_>) -> bool,
    stopped: bool,
}

/// Splits the JSON document read from `r`, calling `on` for every record (or once with
/// the whole document). `on` returns false to stop reading. Errors are I/O errors of
/// the reader (`Err(Ok(e))`) or a structural problem at a byte offset (`Err(Err(msg))`);
/// the records before either were handed over.
pub(super) fn split<R: BufRead>(
    r: R,
    on: &mut dyn FnMut(Piece<'_>) -> bool,
) -> Result<(), Problem> {
    let mut s = Splitter {
        r,
        pos: 0,
        tee: None,
        found: false,
        n: 0,
        buf: Vec::new(),
        ctx: [Map::new(), Map::new()],
        merged: Map::new(),
        on,
        stopped: false,
    };
    s.document()
}

/// Why splitting stopped early.
#[derive(Debug)]
pub(super) enum Problem {
    Io(std::io::Error),
    /// Not JSON of the expected shape, at a byte offset: the message.
    Syntax(String),
}

type Res<T> = Result<T, Problem>;

impl<R: BufRead> Splitter<'_, R> {
    fn syntax<T>(&self, what: &str) -> Res<T> {
        Err(Problem::Syntax(format!("byte {}: {what}", self.pos)))
    }

    fn fill(&mut self) -> Res<&[u8]> {
        self.r.fill_buf().map_err(Problem::Io)
    }

    /// Consumes `n` bytes of the current buffer (copying them to the tee).
    fn take(&mut self, n: usize) {
        if let Some(t) = &mut self.tee
            && let Ok(buf) = self.r.fill_buf()
        {
            if t.len() + n > MAX_RECORD_BYTES {
                self.tee = None;
            } else {
                t.extend_from_slice(&buf[..n]);
            }
        }
        self.r.consume(n);
        self.pos += n as u64;
    }

    /// Skips whitespace; the next byte, not consumed (None at the end).
    fn ws(&mut self) -> Res<Option<u8>> {
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(None);
            }
            match buf.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => {
                    let b = buf[i];
                    self.take(i);
                    return Ok(Some(b));
                }
                None => {
                    let n = buf.len();
                    self.take(n);
                }
            }
        }
    }

    fn expect(&mut self, want: u8, what: &str) -> Res<()> {
        match self.ws()? {
            Some(b) if b == want => {
                self.take(1);
                Ok(())
            }
            Some(_) => self.syntax(&format!("expected {what}")),
            None => self.syntax(&format!("the file ends where {what} was expected")),
        }
    }

    fn document(&mut self) -> Res<()> {
        match self.ws()? {
            None => self.syntax("no JSON value"),
            Some(b'[') => {
                self.take(1);
                self.found = true;
                self.list()?;
                self.trailing()
            }
            Some(b'{') => {
                self.tee = Some(Vec::new());
                self.take(1);
                self.object(0)?;
                if self.stopped {
                    return Ok(());
                }
                if !self.found {
                    let whole = self.tee.take();
                    (self.on)(Piece::Whole(whole.as_deref()));
                    return self.trailing();
                }
                self.trailing()
            }
            Some(_) => self.syntax("the JSON is not an article object or a list of them"),
        }
    }

    fn trailing(&mut self) -> Res<()> {
        if self.stopped {
            return Ok(());
        }
        match self.ws()? {
            None => Ok(()),
            Some(_) => self.syntax("more data after the end of the JSON document"),
        }
    }

    /// The elements of the list of records, after its `[`, through its `]`.
    fn list(&mut self) -> Res<()> {
        self.merged = self.ctx[1].clone();
        for (k, v) in &self.ctx[0] {
            // `records::find_records`: the inner container's source wins
            self.merged.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if self.ws()? == Some(b']') {
            self.take(1);
            return Ok(());
        }
        loop {
            match self.ws()? {
                None => return self.syntax("the file ends inside the list of records"),
                Some(b']' | b',') => return self.syntax("expected a record"),
                Some(_) => {}
            }
            self.n += 1;
            let mut buf = std::mem::take(&mut self.buf);
            buf.clear();
            let over = self.value(Some(&mut buf), MAX_RECORD_BYTES)?;
            let piece = Piece::Record(self.n, (!over).then_some(&buf[..]), &self.merged);
            let go = (self.on)(piece);
            self.buf = buf;
            if !go {
                self.stopped = true;
                return Ok(());
            }
            match self.ws()? {
                Some(b',') => self.take(1),
                Some(b']') => {
                    self.take(1);
                    return Ok(());
                }
                Some(_) => return self.syntax("expected `,` or `]` after a record"),
                None => return self.syntax("the file ends inside the list of records"),
            }
        }
    }

    /// The members of a container object at `level` (0: top-level, 1: inside a record
    /// key of it), after its `{`, through its `}`.
    fn object(&mut self, level: usize) -> Res<()> {
        if self.ws()? == Some(b'}') {
            self.take(1);
            return Ok(());
        }
        loop {
            if self.ws()? != Some(b'"') {
                return self.syntax("expected a key");
            }
            let mut kb = Vec::new();
            let over = self.value(Some(&mut kb), 4096)?;
            let key: String = if over {
                String::new()
            } else {
                serde_json::from_slice(&kb).unwrap_or_default()
            };
            self.expect(b':', "`:`")?;
            let nk = norm_key(&key);
            let next = self.ws()?;
            if !self.found && RECORD_KEYS.contains(&nk.as_str()) && next == Some(b'[') {
                self.take(1);
                self.found = true;
                self.tee = None;
                self.list()?;
            } else if !self.found
                && level == 0
                && RECORD_KEYS.contains(&nk.as_str())
                && next == Some(b'{')
            {
                self.take(1);
                self.object(1)?;
                if !self.found {
                    self.ctx[1].clear();
                }
            } else if !self.found && SOURCE_KEYS.contains(&nk.as_str()) {
                let mut vb = Vec::new();
                let over = self.value(Some(&mut vb), 64 << 10)?;
                if !over && let Ok(v) = serde_json::from_slice::<Value>(&vb) {
                    self.ctx[level].insert(key, v);
                }
            } else {
                self.value(None, 0)?;
            }
            if self.stopped {
                return Ok(());
            }
            match self.ws()? {
                Some(b',') => self.take(1),
                Some(b'}') => {
                    self.take(1);
                    return Ok(());
                }
                Some(_) => return self.syntax("expected `,` or `}`"),
                None => return self.syntax("the file ends inside an object"),
            }
        }
    }

    /// Reads one value starting at the next byte, copying it to `out` while it fits in
    /// `cap`; true when it did not fit. Brackets are counted, not matched: the parser of
    /// the record checks them.
    fn value(&mut self, mut out: Option<&mut Vec<u8>>, cap: usize) -> Res<bool> {
        let mut depth: u32 = 0;
        let mut in_str = false;
        let mut esc = false;
        let mut started = false;
        let mut scalar = false;
        let mut over = false;
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                if scalar {
                    return Ok(over);
                }
                return self.syntax("the file ends inside a value");
            }
            let mut end = None;
            let mut i = 0;
            while i < buf.len() {
                let b = buf[i];
                if in_str {
                    if esc {
                        esc = false;
                    } else {
                        // jump to the next quote or backslash
                        match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                            None => {
                                i = buf.len();
                                continue;
                            }
                            Some(j) => {
                                i += j;
                                if buf[i] == b'\\' {
                                    esc = true;
                                } else {
                                    in_str = false;
                                    if depth == 0 {
                                        end = Some(i + 1);
                                        break;
                                    }
                                }
                            }
                        }
                    }
                    i += 1;
                    continue;
                }
                if !started {
                    started = true;
                    match b {
                        b'{' | b'[' => depth = 1,
                        b'"' => in_str = true,
                        _ => scalar = true,
                    }
                    i += 1;
                    continue;
                }
                if scalar {
                    if matches!(b, b',' | b']' | b'}' | b':') || b.is_ascii_whitespace() {
                        end = Some(i);
                        break;
                    }
                    i += 1;
                    continue;
                }
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            let n = end.unwrap_or(buf.len());
            if let Some(o) = out.as_deref_mut()
                && !over
            {
                if o.len() + n > cap {
                    over = true;
                    o.clear();
                } else {
                    o.extend_from_slice(&buf[..n]);
                }
            }
            self.take(n);
            if end.is_some() {
                return Ok(over);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Runs the splitter over `text` read `chunk` bytes at a time; the records (parsed)
    /// or the whole object, and the problem if any.
    fn pieces(text: &str, chunk: usize) -> (Vec<Option<Value>>, Option<String>, Option<Value>) {
        let r = std::io::BufReader::with_capacity(chunk.max(1), text.as_bytes());
        let mut recs = Vec::new();
        let mut src = None;
        let mut whole = None;
        let res = split(r, &mut |p| {
            match p {
                Piece::Record(n, b, ctx) => {
                    assert_eq!(n, recs.len() + 1);
                    recs.push(b.map(|b| serde_json::from_slice(b).unwrap()));
                    src = ctx.get("source").cloned();
                }
                Piece::Whole(b) => whole = b.map(|b| serde_json::from_slice(b).unwrap()),
            }
            true
        });
        let _ = src;
        let problem = match res {
            Ok(()) => None,
            Err(Problem::Syntax(m)) => Some(m),
            Err(Problem::Io(e)) => Some(e.to_string()),
        };
        (recs, problem, whole)
    }

    #[test]
    fn shapes_and_problems() {
        for chunk in [1, 2, 3, 7, 64, 8192] {
            let (r, p, _) = pieces(
                r#" [ {"title":"A \"q\" ]}"} , {"title":"B","t":[1,{"x":"}"}]}, 3, "s" ] "#,
                chunk,
            );
            assert_eq!(p, None);
            assert_eq!(r.len(), 4);
            assert_eq!(r[0].as_ref().unwrap()["title"], "A \"q\" ]}");
            assert_eq!(r[2], Some(Value::from(3)));
            let (r, p, _) = pieces(
                r#"{"status":"ok","source":"Wire","data":{"total":2,"items":[{"title":"A"},{"title":"B"}]},"articles":[{"title":"C"}]}"#,
                chunk,
            );
            assert_eq!(p, None);
            assert_eq!(r.len(), 2, "the first list found is the records");
            let (r, p, w) = pieces(r#"{"title":"Solo","body":"x","tags":["a"]}"#, chunk);
            assert_eq!((r.len(), p), (0, None));
            assert_eq!(w.unwrap()["title"], "Solo");
            let (r, p, _) = pieces(r#"[{"title":"A"},{"title":"B"#, chunk);
            assert_eq!(r.len(), 1, "records before a cut are kept");
            assert!(p.unwrap().contains("ends inside"));
            let (_, p, _) = pieces("[1] [2]", chunk);
            assert!(p.unwrap().contains("more data"));
            let (_, p, _) = pieces("42", chunk);
            assert!(p.is_some());
            let (r, p, _) = pieces("[]", chunk);
            assert_eq!((r.len(), p), (0, None));
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            "[a-z\"\\\\\\]\\[{}, é\n]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map("[a-z\"{]{0,6}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// Any array, pretty or compact, read in chunks of any size, splits into exactly
        /// its elements.
        #[test]
        fn any_array_splits_into_its_elements(
            items in prop::collection::vec(json_value(), 0..8),
            pretty in any::<bool>(),
            chunk in 1usize..40,
            under_key in any::<bool>(),
        ) {
            let arr = Value::Array(items.clone());
            let doc = if under_key { serde_json::json!({"meta": {"n": [1, 2]}, "Articles": arr}) } else { arr };
            let text = if pretty { serde_json::to_string_pretty(&doc).unwrap() } else { doc.to_string() };
            let (recs, problem, _) = pieces(&text, chunk);
            prop_assert_eq!(problem, None);
            let got: Vec<Value> = recs.into_iter().map(Option::unwrap).collect();
            prop_assert_eq!(got, items);
        }
    }
}
