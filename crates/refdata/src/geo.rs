//! Small planar geometry on longitude/latitude pairs: point-in-polygon, validity checks,
//! GeoJSON (de)serialisation of polygons, TopoJSON arc decoding and a raster "discrete
//! Voronoi" dissolve used to build approximate basin polygons.
//!
//! Coordinates are `[lng, lat]` in degrees (WGS84), as in GeoJSON. Computations are planar,
//! which is fine at the scale of a basin.

use serde_json::{json, Value};
use std::collections::HashMap;

/// A point `[lng, lat]`.
pub type Point = [f64; 2];
/// A closed ring: first point equals last point.
pub type Ring = Vec<Point>;
/// A polygon: outer ring first, then holes.
pub type Polygon = Vec<Ring>;
/// A multipolygon.
pub type MultiPolygon = Vec<Polygon>;

/// Twice the signed area of a ring (positive when counter-clockwise).
pub fn signed_area2(ring: &[Point]) -> f64 {
    let mut s = 0.0;
    for w in ring.windows(2) {
        s += w[0][0] * w[1][1] - w[1][0] * w[0][1];
    }
    s
}

/// Even-odd ray casting. Points exactly on an edge may go either way.
pub fn point_in_ring(p: Point, ring: &[Point]) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 4 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = (ring[i][0], ring[i][1]);
        let (xj, yj) = (ring[j][0], ring[j][1]);
        if (yi > p[1]) != (yj > p[1]) && p[0] < (xj - xi) * (p[1] - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Point in a polygon with holes.
pub fn point_in_polygon(p: Point, poly: &Polygon) -> bool {
    match poly.split_first() {
        None => false,
        Some((outer, holes)) => {
            point_in_ring(p, outer) && !holes.iter().any(|h| point_in_ring(p, h))
        }
    }
}

/// Point in any polygon of a multipolygon.
pub fn point_in_multipolygon(p: Point, mp: &MultiPolygon) -> bool {
    mp.iter().any(|poly| point_in_polygon(p, poly))
}

/// Bounding box `[min_lng, min_lat, max_lng, max_lat]` of a multipolygon.
pub fn bbox(mp: &MultiPolygon) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for p in mp.iter().flatten().flatten() {
        b[0] = b[0].min(p[0]);
        b[1] = b[1].min(p[1]);
        b[2] = b[2].max(p[0]);
        b[3] = b[3].max(p[1]);
    }
    b
}

/// Reads a GeoJSON `Polygon` or `MultiPolygon` geometry object.
pub fn multipolygon_from_geojson(geometry: &Value) -> Option<MultiPolygon> {
    let kind = geometry.get("type")?.as_str()?;
    let coords = geometry.get("coordinates")?;
    let ring = |v: &Value| -> Option<Ring> {
        v.as_array()?
            .iter()
            .map(|p| {
                let a = p.as_array()?;
                Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?])
            })
            .collect()
    };
    let poly = |v: &Value| -> Option<Polygon> { v.as_array()?.iter().map(ring).collect() };
    match kind {
        "Polygon" => Some(vec![poly(coords)?]),
        "MultiPolygon" => coords.as_array()?.iter().map(poly).collect(),
        _ => None,
    }
}

/// Writes a multipolygon as a GeoJSON geometry, coordinates rounded to `decimals`.
pub fn multipolygon_to_geojson(mp: &MultiPolygon, decimals: i32) -> Value {
    let f = 10f64.powi(decimals);
    let r = |x: f64| (x * f).round() / f;
    let coords: Vec<Vec<Vec<[f64; 2]>>> = mp
        .iter()
        .map(|poly| {
            poly.iter()
                .map(|ring| ring.iter().map(|p| [r(p[0]), r(p[1])]).collect())
                .collect()
        })
        .collect();
    json!({"type": "MultiPolygon", "coordinates": coords})
}

/// A problem found by [`validate_multipolygon`].
#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    /// A ring has fewer than 4 positions.
    TooShort,
    /// A ring's last position differs from its first.
    NotClosed,
    /// Two segments of the same polygon cross (or overlap) at this point.
    SelfIntersection(Point),
}

fn orient(a: Point, b: Point, c: Point) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/// Whether segments `ab` and `cd` cross at a point interior to at least one of them, or
/// overlap along a stretch. Touching at a shared end point is allowed.
fn segments_conflict(a: Point, b: Point, c: Point, d: Point) -> bool {
    let o1 = orient(a, b, c);
    let o2 = orient(a, b, d);
    let o3 = orient(c, d, a);
    let o4 = orient(c, d, b);
    if o1 == 0.0 && o2 == 0.0 {
        // Collinear: conflict if they overlap on more than a point.
        let (k, l) = if (a[0] - b[0]).abs() >= (a[1] - b[1]).abs() {
            (0, 0)
        } else {
            (1, 1)
        };
        let (a0, a1) = (a[k].min(b[k]), a[k].max(b[k]));
        let (c0, c1) = (c[l].min(d[l]), c[l].max(d[l]));
        return a0.max(c0) < a1.min(c1);
    }
    let proper = (o1 > 0.0) != (o2 > 0.0) && (o3 > 0.0) != (o4 > 0.0);
    if proper && o1 != 0.0 && o2 != 0.0 && o3 != 0.0 && o4 != 0.0 {
        return true;
    }
    // An end point touching the interior of the other segment.
    let on = |p: Point, s: Point, e: Point| {
        orient(s, e, p) == 0.0
            && p != s
            && p != e
            && p[0] >= s[0].min(e[0])
            && p[0] <= s[0].max(e[0])
            && p[1] >= s[1].min(e[1])
            && p[1] <= s[1].max(e[1])
    };
    on(c, a, b) || on(d, a, b) || on(a, c, d) || on(b, c, d)
}

/// Checks that every ring is closed and has at least 4 positions, and that no two segments
/// of the same polygon (outer ring and holes together) cross or overlap. Rings may touch at
/// a vertex (allowed by the OGC simple-feature rules for distinct rings).
pub fn validate_multipolygon(mp: &MultiPolygon) -> Result<(), Invalid> {
    for poly in mp {
        let mut segs: Vec<(Point, Point)> = Vec::new();
        for ring in poly {
            if ring.len() < 4 {
                return Err(Invalid::TooShort);
            }
            if ring.first() != ring.last() {
                return Err(Invalid::NotClosed);
            }
            for w in ring.windows(2) {
                if w[0] != w[1] {
                    segs.push((w[0], w[1]));
                }
            }
        }
        check_segments(&segs)?;
    }
    Ok(())
}

fn check_segments(segs: &[(Point, Point)]) -> Result<(), Invalid> {
    if segs.is_empty() {
        return Ok(());
    }
    // Uniform bucket grid over the segments' bounding box.
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for (p, q) in segs {
        for r in [p, q] {
            b[0] = b[0].min(r[0]);
            b[1] = b[1].min(r[1]);
            b[2] = b[2].max(r[0]);
            b[3] = b[3].max(r[1]);
        }
    }
    let n = ((segs.len() as f64).sqrt().ceil() as usize).clamp(1, 512);
    let w = ((b[2] - b[0]) / n as f64).max(1e-12);
    let h = ((b[3] - b[1]) / n as f64).max(1e-12);
    let cell = |x: f64, y: f64| {
        (
            (((x - b[0]) / w) as usize).min(n - 1),
            (((y - b[1]) / h) as usize).min(n - 1),
        )
    };
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); n * n];
    for (i, (p, q)) in segs.iter().enumerate() {
        let (x0, y0) = cell(p[0].min(q[0]), p[1].min(q[1]));
        let (x1, y1) = cell(p[0].max(q[0]), p[1].max(q[1]));
        for y in y0..=y1 {
            for x in x0..=x1 {
                buckets[y * n + x].push(i);
            }
        }
    }
    for bucket in &buckets {
        for (k, &i) in bucket.iter().enumerate() {
            for &j in &bucket[k + 1..] {
                let (a, bb) = segs[i];
                let (c, d) = segs[j];
                if segments_conflict(a, bb, c, d) {
                    return Err(Invalid::SelfIntersection(a));
                }
            }
        }
    }
    Ok(())
}

/// Decodes one object of a TopoJSON topology (with or without quantisation) into
/// `(id, properties, multipolygon)` triples. Only `Polygon`, `MultiPolygon` and
/// `GeometryCollection` geometries are read.
pub fn topojson_polygons(
    topology: &Value,
    object: &str,
) -> Option<Vec<(String, Value, MultiPolygon)>> {
    let (scale, translate) = match topology.get("transform") {
        Some(t) => {
            let s = t.get("scale")?.as_array()?;
            let tr = t.get("translate")?.as_array()?;
            (
                [s[0].as_f64()?, s[1].as_f64()?],
                [tr[0].as_f64()?, tr[1].as_f64()?],
            )
        }
        None => ([1.0, 1.0], [0.0, 0.0]),
    };
    let quantized = topology.get("transform").is_some();
    let arcs: Vec<Vec<Point>> = topology
        .get("arcs")?
        .as_array()?
        .iter()
        .map(|arc| {
            let mut x = 0.0;
            let mut y = 0.0;
            arc.as_array()
                .map(|pts| {
                    pts.iter()
                        .filter_map(|p| {
                            let a = p.as_array()?;
                            let (dx, dy) = (a[0].as_f64()?, a[1].as_f64()?);
                            if quantized {
                                x += dx;
                                y += dy;
                                Some([x * scale[0] + translate[0], y * scale[1] + translate[1]])
                            } else {
                                Some([dx, dy])
                            }
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let ring = |idx: &Value| -> Option<Ring> {
        let mut out: Ring = Vec::new();
        for i in idx.as_array()? {
            let i = i.as_i64()?;
            let (arc, rev) = if i < 0 {
                (arcs.get((!i) as usize)?, true)
            } else {
                (arcs.get(i as usize)?, false)
            };
            let pts: Vec<Point> = if rev {
                arc.iter().rev().copied().collect()
            } else {
                arc.clone()
            };
            // Consecutive arcs share their junction point.
            let skip = usize::from(!out.is_empty());
            out.extend(pts.into_iter().skip(skip));
        }
        Some(out)
    };
    let poly = |v: &Value| -> Option<Polygon> { v.as_array()?.iter().map(ring).collect() };
    let mut out = Vec::new();
    let obj = topology.get("objects")?.get(object)?;
    let geoms: Vec<&Value> = match obj.get("type")?.as_str()? {
        "GeometryCollection" => obj.get("geometries")?.as_array()?.iter().collect(),
        _ => vec![obj],
    };
    for g in geoms {
        let id = match g.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let props = g.get("properties").cloned().unwrap_or(Value::Null);
        let mp = match g.get("type").and_then(Value::as_str) {
            Some("Polygon") => vec![poly(g.get("arcs")?)?],
            Some("MultiPolygon") => g
                .get("arcs")?
                .as_array()?
                .iter()
                .map(poly)
                .collect::<Option<_>>()?,
            _ => continue,
        };
        out.push((id, props, mp));
    }
    Some(out)
}

/// A regular lon/lat raster whose cells are labelled with a unit index (or `None`).
#[derive(Debug, Clone)]
pub struct Raster {
    /// Longitude of the west edge.
    pub x0: f64,
    /// Latitude of the south edge.
    pub y0: f64,
    /// Cell width in degrees of longitude.
    pub dx: f64,
    /// Cell height in degrees of latitude.
    pub dy: f64,
    /// Number of columns.
    pub nx: usize,
    /// Number of rows.
    pub ny: usize,
    /// Row-major labels, row 0 at the south.
    pub cells: Vec<Option<u32>>,
}

impl Raster {
    /// An empty raster covering `bbox` with cells of `dx` × `dy` degrees.
    pub fn new(bbox: [f64; 4], dx: f64, dy: f64) -> Raster {
        let nx = (((bbox[2] - bbox[0]) / dx).ceil() as usize).max(1);
        let ny = (((bbox[3] - bbox[1]) / dy).ceil() as usize).max(1);
        Raster {
            x0: bbox[0],
            y0: bbox[1],
            dx,
            dy,
            nx,
            ny,
            cells: vec![None; nx * ny],
        }
    }

    /// Centre of cell `(col, row)`.
    pub fn center(&self, col: usize, row: usize) -> Point {
        [
            self.x0 + (col as f64 + 0.5) * self.dx,
            self.y0 + (row as f64 + 0.5) * self.dy,
        ]
    }

    /// The cell holding point `p`, if inside the raster.
    pub fn cell_of(&self, p: Point) -> Option<(usize, usize)> {
        let c = ((p[0] - self.x0) / self.dx).floor();
        let r = ((p[1] - self.y0) / self.dy).floor();
        if c < 0.0 || r < 0.0 || c as usize >= self.nx || r as usize >= self.ny {
            return None;
        }
        Some((c as usize, r as usize))
    }

    /// Marks the cells whose centre lies inside `mp` (scan-line fill, even-odd rule over all
    /// rings). Returns the mask.
    pub fn mask_inside(&self, mp: &MultiPolygon) -> Vec<bool> {
        let mut mask = vec![false; self.nx * self.ny];
        let edges: Vec<(Point, Point)> = mp
            .iter()
            .flatten()
            .flat_map(|ring| ring.windows(2).map(|w| (w[0], w[1])))
            .collect();
        let mut xs: Vec<f64> = Vec::new();
        for row in 0..self.ny {
            let y = self.y0 + (row as f64 + 0.5) * self.dy;
            xs.clear();
            for (a, b) in &edges {
                if (a[1] > y) != (b[1] > y) {
                    xs.push(a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]));
                }
            }
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks(2) {
                if pair.len() < 2 {
                    break;
                }
                let c0 = ((pair[0] - self.x0) / self.dx - 0.5).ceil().max(0.0) as usize;
                let c1 = ((pair[1] - self.x0) / self.dx - 0.5).floor();
                if c1 < 0.0 {
                    continue;
                }
                let c1 = (c1 as usize).min(self.nx - 1);
                for c in c0..=c1 {
                    mask[row * self.nx + c] = true;
                }
            }
        }
        mask
    }

    /// Traces the boundary of every label into polygons (outer rings counter-clockwise,
    /// holes clockwise). Rings of one label never cross; at a vertex where two cells of the
    /// label meet only diagonally, the rings are split so that they only touch there.
    pub fn polygons(&self, labels: usize) -> Vec<MultiPolygon> {
        // Directed boundary edges per label, on the lattice of cell corners. A corner is
        // (col, row) with col in 0..=nx, row in 0..=ny. The label lies on the left.
        let get = |c: isize, r: isize| -> Option<u32> {
            if c < 0 || r < 0 || c as usize >= self.nx || r as usize >= self.ny {
                None
            } else {
                self.cells[r as usize * self.nx + c as usize]
            }
        };
        type V = (i32, i32);
        let mut edges: Vec<HashMap<V, Vec<V>>> = vec![HashMap::new(); labels];
        for r in 0..self.ny as isize {
            for c in 0..self.nx as isize {
                let Some(l) = get(c, r) else { continue };
                let (ci, ri) = (c as i32, r as i32);
                let e = &mut edges[l as usize];
                if get(c, r - 1) != Some(l) {
                    e.entry((ci, ri)).or_default().push((ci + 1, ri)); // south, heading east
                }
                if get(c + 1, r) != Some(l) {
                    e.entry((ci + 1, ri)).or_default().push((ci + 1, ri + 1)); // east, heading north
                }
                if get(c, r + 1) != Some(l) {
                    e.entry((ci + 1, ri + 1)).or_default().push((ci, ri + 1)); // north, heading west
                }
                if get(c - 1, r) != Some(l) {
                    e.entry((ci, ri + 1)).or_default().push((ci, ri)); // west, heading south
                }
            }
        }
        let to_point = |v: V| -> Point {
            [
                self.x0 + v.0 as f64 * self.dx,
                self.y0 + v.1 as f64 * self.dy,
            ]
        };
        edges
            .into_iter()
            .map(|mut e| {
                let mut rings: Vec<Vec<V>> = Vec::new();
                let mut starts: Vec<V> = e.keys().copied().collect();
                starts.sort_unstable();
                for s in starts {
                    while let Some(first) = e.get_mut(&s).and_then(|v| v.pop()) {
                        let mut ring = vec![s, first];
                        let mut prev = s;
                        let mut cur = first;
                        while cur != s {
                            let outs = e.get_mut(&cur).expect("boundary is closed");
                            let dir = (cur.0 - prev.0, cur.1 - prev.1);
                            // Prefer the left-most turn: left, straight, right.
                            let left = (-dir.1, dir.0);
                            let right = (dir.1, -dir.0);
                            let pick = [left, dir, right]
                                .iter()
                                .find_map(|d| {
                                    outs.iter().position(|o| (o.0 - cur.0, o.1 - cur.1) == *d)
                                })
                                .unwrap_or(0);
                            let next = outs.swap_remove(pick);
                            ring.push(next);
                            prev = cur;
                            cur = next;
                        }
                        rings.push(ring);
                    }
                }
                // Drop collinear vertices.
                let rings: Vec<Ring> = rings
                    .into_iter()
                    .map(|ring| {
                        let n = ring.len() - 1; // closed
                        let mut out: Vec<V> = Vec::new();
                        for i in 0..n {
                            let p = ring[(i + n - 1) % n];
                            let c = ring[i];
                            let q = ring[(i + 1) % n];
                            let cross = (c.0 - p.0) * (q.1 - c.1) - (c.1 - p.1) * (q.0 - c.0);
                            if cross != 0 {
                                out.push(c);
                            }
                        }
                        out.push(out[0]);
                        out.into_iter().map(to_point).collect()
                    })
                    .collect();
                assemble(rings)
            })
            .collect()
    }
}

/// Groups counter-clockwise outer rings and clockwise holes into polygons.
fn assemble(rings: Vec<Ring>) -> MultiPolygon {
    let (outers, holes): (Vec<Ring>, Vec<Ring>) =
        rings.into_iter().partition(|r| signed_area2(r) > 0.0);
    let mut polys: MultiPolygon = outers.into_iter().map(|r| vec![r]).collect();
    for hole in holes {
        // A point strictly inside the hole's area: the midpoint of its first edge, nudged
        // to the hole's interior side (holes are clockwise, so their inside is on the right).
        let (a, b) = (hole[0], hole[1]);
        let m = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        let len = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2))
            .sqrt()
            .max(1e-12);
        let eps = 1e-7;
        let probe = [
            m[0] + (b[1] - a[1]) / len * eps,
            m[1] - (b[0] - a[0]) / len * eps,
        ];
        let owner = polys
            .iter()
            .enumerate()
            .filter(|(_, p)| point_in_ring(probe, &p[0]))
            .min_by(|x, y| signed_area2(&x.1[0]).total_cmp(&signed_area2(&y.1[0])))
            .map(|(i, _)| i);
        if let Some(i) = owner {
            polys[i].push(hole);
        }
    }
    polys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_contains_centre() {
        let sq: Ring = vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]];
        assert!(point_in_ring([0.5, 0.5], &sq));
        assert!(!point_in_ring([1.5, 0.5], &sq));
        assert!(signed_area2(&sq) > 0.0);
        assert_eq!(validate_multipolygon(&vec![vec![sq]]), Ok(()));
    }

    #[test]
    fn bow_tie_is_invalid() {
        let bow: Ring = vec![[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]];
        assert!(matches!(
            validate_multipolygon(&vec![vec![bow]]),
            Err(Invalid::SelfIntersection(_))
        ));
    }

    #[test]
    fn raster_trace_splits_diagonal_touch_and_keeps_holes() {
        // Label 0: a ring of 3x3 cells with an empty centre, plus a diagonal neighbour.
        let mut r = Raster::new([0.0, 0.0, 5.0, 5.0], 1.0, 1.0);
        for row in 0..3 {
            for col in 0..3 {
                if (row, col) != (1, 1) {
                    r.cells[row * 5 + col] = Some(0);
                }
            }
        }
        r.cells[3 * 5 + 3] = Some(0);
        let polys = r.polygons(1);
        let mp = &polys[0];
        assert_eq!(mp.len(), 2, "two parts touching at a corner");
        assert_eq!(validate_multipolygon(mp), Ok(()));
        let big = mp
            .iter()
            .find(|p| p.len() == 2)
            .expect("one part has a hole");
        assert!(point_in_polygon([0.5, 0.5], big));
        assert!(!point_in_polygon([1.5, 1.5], big));
        assert!(point_in_multipolygon([3.5, 3.5], mp));
    }

    #[test]
    fn topojson_quantized_arcs() {
        let topo = json!({
            "type": "Topology",
            "transform": {"scale": [1.0, 1.0], "translate": [0.0, 0.0]},
            "objects": {"c": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "id": "250", "arcs": [[0, 1]]}
            ]}},
            "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]]
        });
        let polys = topojson_polygons(&topo, "c").unwrap();
        assert_eq!(polys[0].0, "250");
        assert_eq!(
            polys[0].2[0][0],
            vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]]
        );
    }
}
