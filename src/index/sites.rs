//! The site profiles on disk: `coindex-sites.json.zst` in the index folder, the
//! [`Profiles`] that site learning keeps (zstd JSON, versioned, written durably: a temp
//! file, fsync, rename). The indexer writes it before each index commit, so it never
//! lags the index; a crash between the two leaves a profile that knows pages the index
//! lacks, which are read again and not counted twice. What the profile holds and how it
//! is learned is `crate::sites`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, rebuild_command};
use crate::sites::{FORMAT_VERSION, Profiles};

/// The file name in the index folder.
pub const SITES_FILE: &str = "coindex-sites.json.zst";

/// The profile file of the index at `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(SITES_FILE)
}

/// Reads the profiles; an index without the file has learned nothing yet.
pub fn load(dir: &Path) -> Result<Profiles> {
    let p = path(dir);
    let file = match std::fs::File::open(&p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Profiles::default()),
        Err(e) => return Err(Error::io(&p, e)),
    };
    let damaged = |what: String| {
        Error::user(format!(
            "the site profiles {} {what}; run {} to relearn them from the archive",
            p.display(),
            rebuild_command(Some(dir))
        ))
    };
    let json = zstd::stream::read::Decoder::new(file)
        .map_err(|e| damaged(format!("are damaged ({e})")))?;
    let profiles: Profiles = serde_json::from_reader(std::io::BufReader::new(json))
        .map_err(|e| damaged(format!("are damaged ({e})")))?;
    if profiles.version != FORMAT_VERSION {
        return Err(damaged(format!(
            "have version {}, this coindex reads version {FORMAT_VERSION}",
            profiles.version
        )));
    }
    Ok(profiles)
}

/// Writes the profiles durably.
pub fn save(dir: &Path, profiles: &Profiles) -> Result<()> {
    super::manifest::write_zstd_json(dir, &path(dir), profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_round_trip_and_a_damaged_file_is_a_user_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), Profiles::default());
        let mut p = Profiles::default();
        p.sites.entry("wire".into()).or_default().day_first = 3;
        save(dir.path(), &p).unwrap();
        assert_eq!(load(dir.path()).unwrap(), p);
        std::fs::write(path(dir.path()), b"not zstd").unwrap();
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("damaged") && e.contains("--rebuild"), "{e}");
    }
}
