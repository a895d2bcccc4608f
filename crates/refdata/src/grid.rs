//! Basin grids: units, commune → unit, polygons. Loading, saving and importing.

use crate::geo::{multipolygon_from_geojson, MultiPolygon};
use crate::{read_text, read_tsv, RefdataError};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A basin grid: a partition of communes into units, with one polygon per unit.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Short id, also the directory name under `grids/` (`arrondissements`, `ze2020`).
    pub id: String,
    /// Label for the UI (French).
    pub label: String,
    /// True when the polygons are an approximation (to be shown as such).
    pub approximate: bool,
    /// Where the data comes from (free text, for the attribution).
    pub source: String,
    /// Unit code → unit label.
    pub units: BTreeMap<String, String>,
    /// Commune code (current, and former codes when known) → unit code.
    pub commune_to_unit: HashMap<String, String>,
    /// GeoJSON `FeatureCollection`, one feature per unit, `id` = unit code,
    /// `properties: {code, label}`.
    pub polygons: Value,
}

const GRID_COMMUNES_HEADER: [&str; 2] = ["commune", "unit"];

impl Grid {
    /// Loads a grid from its directory (`grid.json`, `communes.tsv`, `polygons.geojson`).
    pub fn load(dir: &Path) -> Result<Grid, RefdataError> {
        let meta_path = dir.join("grid.json");
        let meta: Value = serde_json::from_str(&read_text(&meta_path)?)
            .map_err(|e| RefdataError::format(&meta_path, e.to_string()))?;
        let s = |k: &str| {
            meta.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let units = meta
            .get("units")
            .and_then(Value::as_object)
            .ok_or_else(|| RefdataError::format(&meta_path, "no units"))?
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        let commune_to_unit = read_tsv(&dir.join("communes.tsv"), &GRID_COMMUNES_HEADER)?
            .into_iter()
            .map(|mut f| {
                let u = f.pop().unwrap_or_default();
                (f.pop().unwrap_or_default(), u)
            })
            .collect();
        let poly_path = dir.join("polygons.geojson");
        let polygons: Value = serde_json::from_str(&read_text(&poly_path)?)
            .map_err(|e| RefdataError::format(&poly_path, e.to_string()))?;
        Ok(Grid {
            id: s("id"),
            label: s("label"),
            approximate: meta
                .get("approximate")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            source: s("source"),
            units,
            commune_to_unit,
            polygons,
        })
    }

    /// Writes the grid into `dir` (created if needed).
    pub fn save(&self, dir: &Path) -> Result<(), RefdataError> {
        std::fs::create_dir_all(dir).map_err(|e| RefdataError::io(dir, e))?;
        let meta = json!({
            "id": self.id,
            "label": self.label,
            "approximate": self.approximate,
            "source": self.source,
            "units": self.units,
        });
        write(
            &dir.join("grid.json"),
            &serde_json::to_string_pretty(&meta).unwrap_or_default(),
        )?;
        let mut rows: Vec<(&String, &String)> = self.commune_to_unit.iter().collect();
        rows.sort();
        let mut tsv = GRID_COMMUNES_HEADER.join("\t");
        tsv.push('\n');
        for (c, u) in rows {
            tsv.push_str(&format!("{c}\t{u}\n"));
        }
        write(&dir.join("communes.tsv"), &tsv)?;
        write(
            &dir.join("polygons.geojson"),
            &serde_json::to_string(&self.polygons).unwrap_or_default(),
        )
    }

    /// Unit code of a commune code, as listed in the grid (no code history followed; use
    /// [`crate::Refdata::basin_of`] for that).
    pub fn unit_of(&self, commune: &str) -> Option<&str> {
        self.commune_to_unit.get(commune).map(String::as_str)
    }

    /// Polygon of every unit that has one, decoded.
    pub fn unit_polygons(&self) -> BTreeMap<String, MultiPolygon> {
        self.polygons
            .get("features")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| {
                let code = f.get("properties")?.get("code")?.as_str()?.to_string();
                Some((code, multipolygon_from_geojson(f.get("geometry")?)?))
            })
            .collect()
    }
}

pub(crate) fn write(path: &Path, text: &str) -> Result<(), RefdataError> {
    std::fs::write(path, text).map_err(|e| RefdataError::io(path, e))
}

/// What to import: the files as published, and which columns to read.
#[derive(Debug, Clone)]
pub struct ImportSpec {
    /// Grid id (directory name), e.g. `ze2020`, `bmo2019`, `epci`.
    pub id: String,
    /// Label for the UI.
    pub label: String,
    /// Source and attribution text.
    pub source: String,
    /// Composition: an `.xlsx` workbook (the header row is searched in the first 20 rows of
    /// each sheet, e.g. row 6 in INSEE files) or a CSV (`,` or `;`).
    pub composition: PathBuf,
    /// Polygon GeoJSON (`FeatureCollection`), one feature per unit.
    pub polygons: PathBuf,
    /// Commune code history CSV with columns `DEPCOM_HIST,DEPCOM` (old code → current code).
    pub history: Option<PathBuf>,
    /// Commune column of the composition; `None`: the first of `CODGEO`, `DEPCOM`,
    /// `CODE_COMMUNE_INSEE`, `code_insee`, `COM` that is present.
    pub commune_column: Option<String>,
    /// Unit column of the composition, e.g. `ZE2020`.
    pub unit_column: String,
    /// Unit label column; `None`: `LIB` + unit column (`LIBZE2020`), `LIB_` + unit column,
    /// or `NOM` + unit column (`NOMBE19` for `BE19`).
    pub label_column: Option<String>,
    /// Property of the polygon features that holds the unit code; `None`: the unit column.
    pub polygon_key: Option<String>,
    /// Record this grid as the default one.
    pub make_default: bool,
}

impl ImportSpec {
    /// The INSEE zones d'emploi 2020 with the column names of INSEE's files.
    pub fn ze2020(composition: &Path, polygons: &Path, history: Option<&Path>) -> ImportSpec {
        ImportSpec {
            id: "ze2020".into(),
            label: "Zones d'emploi 2020 (INSEE)".into(),
            source: "INSEE, zonage en zones d'emploi 2020; contours: IGN Admin Express".into(),
            composition: composition.to_path_buf(),
            polygons: polygons.to_path_buf(),
            history: history.map(Path::to_path_buf),
            commune_column: None,
            unit_column: "ZE2020".into(),
            label_column: None,
            polygon_key: None,
            make_default: true,
        }
    }
}

/// Accepted names of the commune column, in order of preference.
const COMMUNE_COLUMNS: [&str; 5] = [
    "CODGEO",
    "DEPCOM",
    "CODE_COMMUNE_INSEE",
    "code_insee",
    "COM",
];

/// Figures of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Number of units.
    pub units: usize,
    /// Distinct commune codes in the composition file.
    pub composition_communes: usize,
    /// Codes added by following the history table (old → current and current → old) and
    /// the registry's former codes.
    pub added_from_history: usize,
    /// Registry communes still without a unit (communes restored by splitting a commune
    /// nouvelle, which the history table maps only to themselves) placed by their point in
    /// the unit polygons, as `commune → unit`.
    pub added_by_point: Vec<(String, String)>,
    /// Units that have a polygon.
    pub units_with_polygon: usize,
    /// Units without a polygon.
    pub units_without_polygon: Vec<String>,
    /// Polygon features whose key is not a unit of the composition (dropped).
    pub unknown_polygon_keys: Vec<String>,
}

/// Rows of a table: header → value maps, read from CSV or from an xlsx workbook.
/// `required`: for each needed column, its accepted names; the header row must hold one name
/// of each.
fn read_table(
    path: &Path,
    required: &[&[&str]],
) -> Result<Vec<HashMap<String, String>>, RefdataError> {
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xls"));
    let grid: Vec<Vec<Vec<String>>> = if is_xlsx {
        read_xlsx(path)?
    } else {
        vec![read_csv(path)?]
    };
    for rows in grid {
        // Header row: the first of the first 20 rows holding all required columns.
        let Some(h) = rows.iter().take(20).position(|r| {
            required.iter().all(|alts| {
                alts.iter()
                    .any(|c| r.iter().any(|x| x.trim().eq_ignore_ascii_case(c)))
            })
        }) else {
            continue;
        };
        let header: Vec<String> = rows[h].iter().map(|x| x.trim().to_string()).collect();
        return Ok(rows[h + 1..]
            .iter()
            .filter(|r| r.iter().any(|x| !x.trim().is_empty()))
            .map(|r| {
                header
                    .iter()
                    .zip(r.iter())
                    .map(|(k, v)| (k.clone(), v.trim().to_string()))
                    .collect()
            })
            .collect());
    }
    Err(RefdataError::format(
        path,
        format!("no header row with columns {required:?}"),
    ))
}

fn read_xlsx(path: &Path) -> Result<Vec<Vec<Vec<String>>>, RefdataError> {
    use calamine::{open_workbook_auto, Data, Reader};
    let mut wb = open_workbook_auto(path).map_err(|e| RefdataError::format(path, e.to_string()))?;
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| RefdataError::format(path, e.to_string()))?;
        let rows = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::String(s) => s.clone(),
                        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                        Data::Empty => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        out.push(rows);
    }
    Ok(out)
}

fn read_csv(path: &Path) -> Result<Vec<Vec<String>>, RefdataError> {
    let bytes = std::fs::read(path).map_err(|e| RefdataError::io(path, e))?;
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        // INSEE CSV files are sometimes Latin-1.
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    };
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let delim = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    rdr.records()
        .map(|r| {
            r.map(|rec| rec.iter().map(str::to_string).collect())
                .map_err(|e| RefdataError::format(path, e.to_string()))
        })
        .collect()
}

fn pick_column(rows: &[HashMap<String, String>], wanted: &[String]) -> Option<String> {
    let first = rows.first()?;
    wanted
        .iter()
        .find_map(|w| first.keys().find(|k| k.eq_ignore_ascii_case(w)).cloned())
}

/// Commune codes from spreadsheets lose their leading zero (`1001` for `01001`).
fn pad_commune(code: &str) -> String {
    if code.len() == 4 && code.chars().all(|c| c.is_ascii_digit()) {
        format!("0{code}")
    } else {
        code.to_string()
    }
}

/// Imports a grid of the ZE2020 shape (composition, polygons keyed by unit code, code
/// history) into `refdata_dir/grids/<id>/`, and records it as the default grid when asked.
///
/// `registry` (the loaded registry data) adds the current communes of the registry that the
/// composition only knows by a former code.
pub fn import_grid(
    refdata_dir: &Path,
    spec: &ImportSpec,
    registry: Option<&crate::Refdata>,
) -> Result<(Grid, ImportReport), RefdataError> {
    let unit_col = spec.unit_column.clone();
    let commune_alts: Vec<&str> = match &spec.commune_column {
        Some(c) => vec![c.as_str()],
        None => COMMUNE_COLUMNS.to_vec(),
    };
    let rows = read_table(&spec.composition, &[&[unit_col.as_str()], &commune_alts])?;
    let wanted: Vec<String> = commune_alts.iter().map(|c| c.to_string()).collect();
    let commune_col = pick_column(&rows, &wanted)
        .ok_or_else(|| RefdataError::format(&spec.composition, "no commune column"))?;
    let label_col = match &spec.label_column {
        Some(c) => Some(c.clone()),
        None => pick_column(
            &rows,
            &[
                format!("LIB{unit_col}"),
                format!("LIB_{unit_col}"),
                format!("NOM{unit_col}"),
            ],
        ),
    };
    let mut units: BTreeMap<String, String> = BTreeMap::new();
    let mut map: HashMap<String, String> = HashMap::new();
    for r in &rows {
        let (Some(c), Some(u)) = (r.get(&commune_col), r.get(&unit_col)) else {
            continue;
        };
        if c.is_empty() || u.is_empty() {
            continue;
        }
        let label = label_col
            .as_ref()
            .and_then(|l| r.get(l))
            .cloned()
            .unwrap_or_else(|| u.clone());
        units.entry(u.clone()).or_insert(label);
        map.insert(pad_commune(c), u.clone());
    }
    if units.is_empty() {
        return Err(RefdataError::format(&spec.composition, "no rows"));
    }
    let composition_communes = map.len();
    if let Some(h) = &spec.history {
        let hist = read_table(h, &[&["DEPCOM_HIST"], &["DEPCOM"]])?;
        let pairs: Vec<(String, String)> = hist
            .iter()
            .filter_map(|r| {
                Some((
                    pad_commune(r.get("DEPCOM_HIST")?),
                    pad_commune(r.get("DEPCOM")?),
                ))
            })
            .collect();
        // Old → current: a current code gets the unit of its own code, else of an old one.
        for (old, cur) in &pairs {
            if !map.contains_key(cur) {
                if let Some(u) = map.get(old).cloned() {
                    map.insert(cur.clone(), u);
                }
            }
        }
        // Current → old, so that old codes found in declarations resolve too.
        for (old, cur) in &pairs {
            if !map.contains_key(old) {
                if let Some(u) = map.get(cur).cloned() {
                    map.insert(old.clone(), u);
                }
            }
        }
    }
    if let Some(rd) = registry {
        for c in rd.communes() {
            if !map.contains_key(&c.code) {
                if let Some(u) = c.former_codes.iter().find_map(|o| map.get(o).cloned()) {
                    map.insert(c.code.clone(), u);
                }
            }
        }
    }
    let added_from_history = map.len() - composition_communes;

    let text = read_text(&spec.polygons)?;
    let fc: Value = serde_json::from_str(&text)
        .map_err(|e| RefdataError::format(&spec.polygons, e.to_string()))?;
    let key = spec.polygon_key.clone().unwrap_or_else(|| unit_col.clone());
    let mut features = Vec::new();
    let mut unknown = Vec::new();
    let mut with_polygon = std::collections::BTreeSet::new();
    for f in fc
        .get("features")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let code = match f.get("properties").and_then(|p| p.get(&key)) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        let Some(geometry) = f
            .get("geometry")
            .filter(|g| multipolygon_from_geojson(g).is_some())
        else {
            continue;
        };
        let Some(label) = units.get(&code) else {
            unknown.push(code);
            continue;
        };
        with_polygon.insert(code.clone());
        features.push(json!({
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "label": label},
            "geometry": geometry,
        }));
    }
    // Registry communes still unknown: by their point in the unit polygons.
    let mut added_by_point = Vec::new();
    if let Some(rd) = registry {
        let decoded: Vec<(String, MultiPolygon)> = features
            .iter()
            .filter_map(|f| {
                Some((
                    f.get("id")?.as_str()?.to_string(),
                    multipolygon_from_geojson(f.get("geometry")?)?,
                ))
            })
            .collect();
        for c in rd.communes() {
            if map.contains_key(&c.code) {
                continue;
            }
            if let Some((u, _)) = decoded
                .iter()
                .find(|(_, mp)| crate::geo::point_in_multipolygon(c.point(), mp))
            {
                map.insert(c.code.clone(), u.clone());
                added_by_point.push((c.code.clone(), u.clone()));
            }
        }
    }
    let report = ImportReport {
        units: units.len(),
        composition_communes,
        added_from_history,
        added_by_point,
        units_with_polygon: with_polygon.len(),
        units_without_polygon: units
            .keys()
            .filter(|u| !with_polygon.contains(*u))
            .cloned()
            .collect(),
        unknown_polygon_keys: unknown,
    };
    let grid = Grid {
        id: spec.id.clone(),
        label: spec.label.clone(),
        approximate: false,
        source: spec.source.clone(),
        units,
        commune_to_unit: map,
        polygons: json!({"type": "FeatureCollection", "features": features}),
    };
    let grids = refdata_dir.join("grids");
    grid.save(&grids.join(&spec.id))?;
    if spec.make_default {
        write(&grids.join("default"), &format!("{}\n", spec.id))?;
    }
    Ok((grid, report))
}

/// Imports INSEE's ZE2020 files (see [`ImportSpec::ze2020`]) and makes them the default grid.
pub fn import_ze2020(
    refdata_dir: &Path,
    composition: &Path,
    polygons: &Path,
    history: Option<&Path>,
    registry: Option<&crate::Refdata>,
) -> Result<(Grid, ImportReport), RefdataError> {
    import_grid(
        refdata_dir,
        &ImportSpec::ze2020(composition, polygons, history),
        registry,
    )
}
