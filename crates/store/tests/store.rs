//! The same suite against SQLite (a temporary file) and PostgreSQL (a fresh
//! database on the server named by `ANCRAGE_TEST_POSTGRES_URL`, which
//! `scripts/test.sh` sets; CI fails rather than skip when it is missing).

use ancrage_published::{ComponentView, EstablishmentDetail, EstablishmentSummary, ListFilter};
use ancrage_store::{PublishedStore, StoreError};

fn row(
    siret: &str,
    name: &str,
    naf: &str,
    basin: &str,
    score: Option<f64>,
    band: &str,
    hires: i64,
) -> EstablishmentDetail {
    EstablishmentDetail {
        summary: EstablishmentSummary {
            siret: siret.into(),
            name: Some(name.into()),
            address: Some("1 rue de la République".into()),
            naf: Some(naf.into()),
            naf_label: Some(format!("Activité {naf}")),
            commune: Some("69123".into()),
            commune_name: Some("Lyon".into()),
            postcode: Some("69003".into()),
            basin: Some(basin.into()),
            basin_label: Some(format!("Bassin {basin}")),
            lat: Some(45.76),
            lng: Some(4.84),
            headcount: Some(12),
            hires: Some(hires),
            women_share: Some(0.5),
            cdi_share: None,
            score,
            band: band.into(),
            division_label: None,
            size_band: None,
            strengths: vec![],
        },
        first_month: Some("2021-01".into()),
        last_month: Some("2025-12".into()),
        hires_women: Some(hires / 2),
        hires_cdi: None,
        hires_cdd: None,
        hires_priority: None,
        peer_group: Some("NAF 56 · 10-49".into()),
        dimensions: vec![ancrage_published::DimensionView {
            key: "ouverture".into(),
            label: "Ouverture".into(),
            weight: 0.4,
            score: Some(63.5),
        }],
        components: vec![ComponentView {
            key: "young".into(),
            label: "Embauches de jeunes".into(),
            dimension: "ouverture".into(),
            value: Some(0.25),
            peer_median: Some(0.2),
            position: Some(61.0),
            n: 8,
            note: None,
        }],
        by_year: vec![
            ancrage_published::YearFigures {
                year: 2024,
                hires: None,
                cdi_share: None,
            },
            ancrage_published::YearFigures {
                year: 2025,
                hires: Some(hires),
                cdi_share: Some(0.5),
            },
        ],
    }
}

fn sample() -> Vec<EstablishmentDetail> {
    vec![
        // NAF 56 → section I; 88 → Q; 47 → G.
        row(
            "11111111100011",
            "Brasserie A",
            "5610A",
            "691",
            Some(72.0),
            "engagee",
            40,
        ),
        row(
            "22222222200022",
            "Crèche B",
            "8891A",
            "691",
            Some(55.5),
            "accueillante",
            12,
        ),
        row(
            "33333333300033",
            "Épicerie C",
            "4711D",
            "133",
            None,
            "non_calculable",
            3,
        ),
        row(
            "44444444400044",
            "Brasserie D",
            "5610A",
            "133",
            Some(38.0),
            "peu_engagee",
            9,
        ),
    ]
}

async fn suite(store: PublishedStore) {
    // A fresh store has published nothing yet; each publish is a new generation.
    assert_eq!(store.generation().await.unwrap(), 0);
    store.publish(&sample()).await.unwrap();
    assert_eq!(store.generation().await.unwrap(), 1);

    // Everything, default order: by band (one establishment per band here).
    let all = store.list(&ListFilter::default()).await.unwrap();
    assert_eq!(all.total, 4);
    let order: Vec<&str> = all.items.iter().map(|s| s.siret.as_str()).collect();
    assert_eq!(
        order,
        [
            "11111111100011",
            "22222222200022",
            "44444444400044",
            "33333333300033"
        ]
    );

    // Filters combine; the section comes from the NAF division.
    let f = ListFilter {
        section: Some("I".into()),
        basin: Some("133".into()),
        ..Default::default()
    };
    let page = store.list(&f).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].name.as_deref(), Some("Brasserie D"));

    // Sorting by hires, pagination.
    let f = ListFilter {
        sort: Some("hires".into()),
        per_page: 2,
        page: 1,
        ..Default::default()
    };
    let page = store.list(&f).await.unwrap();
    assert_eq!(page.total, 4);
    let hires: Vec<Option<i64>> = page.items.iter().map(|s| s.hires).collect();
    assert_eq!(hires, [Some(9), Some(3)]);

    // Several bands at once (what a counselor looks for first).
    let welcoming = ListFilter {
        band: Some("engagee,accueillante".into()),
        ..Default::default()
    };
    let page = store.list(&welcoming).await.unwrap();
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|s| s.name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["Brasserie A", "Crèche B"]);

    // Bad filter values are errors, never queries.
    let bad = ListFilter {
        band: Some("'; DROP TABLE establishment; --".into()),
        ..Default::default()
    };
    assert!(matches!(store.list(&bad).await, Err(StoreError::Filter(_))));

    // The card round-trips every field.
    let d = store.detail("22222222200022").await.unwrap().unwrap();
    assert_eq!(d, sample()[1]);
    assert!(store.detail("99999999999999").await.unwrap().is_none());

    // Filter values with counts.
    let opts = store.filter_options(&ListFilter::default()).await.unwrap();
    let basins: Vec<(&str, i64)> = opts
        .basins
        .iter()
        .map(|o| (o.code.as_str(), o.count))
        .collect();
    assert_eq!(basins, [("133", 2), ("691", 2)]);
    let sections: Vec<(&str, i64)> = opts
        .sections
        .iter()
        .map(|o| (o.code.as_str(), o.count))
        .collect();
    assert_eq!(sections, [("G", 1), ("I", 2), ("Q", 1)]);
    let engagee = opts.bands.iter().find(|o| o.code == "engagee").unwrap();
    assert_eq!(engagee.count, 1);
    let en_progres = opts.bands.iter().find(|o| o.code == "en_progres").unwrap();
    assert_eq!(en_progres.count, 0);

    // Counts under the other filters: within basin 133 (C: G, non calculable; D: I, peu engagée),
    // every basin and section stays listed, with 0 where nothing matches.
    let in_133 = ListFilter {
        basin: Some("133".into()),
        ..Default::default()
    };
    let opts = store.filter_options(&in_133).await.unwrap();
    let sections: Vec<(&str, i64)> = opts
        .sections
        .iter()
        .map(|o| (o.code.as_str(), o.count))
        .collect();
    assert_eq!(sections, [("G", 1), ("I", 1), ("Q", 0)]);
    let basins: Vec<(&str, i64)> = opts
        .basins
        .iter()
        .map(|o| (o.code.as_str(), o.count))
        .collect();
    assert_eq!(
        basins,
        [("133", 2), ("691", 2)],
        "the basin facet ignores the basin filter"
    );
    let band = |code: &str| opts.bands.iter().find(|o| o.code == code).unwrap().count;
    assert_eq!(
        (band("engagee"), band("peu_engagee"), band("non_calculable")),
        (0, 1, 1)
    );
    let section_i = ListFilter {
        section: Some("I".into()),
        ..Default::default()
    };
    let opts = store.filter_options(&section_i).await.unwrap();
    let basins: Vec<(&str, i64)> = opts
        .basins
        .iter()
        .map(|o| (o.code.as_str(), o.count))
        .collect();
    assert_eq!(basins, [("133", 1), ("691", 1)]);

    // Sorting by score: descending, "non calculable" last.
    let by_score = ListFilter {
        sort: Some("score".into()),
        ..Default::default()
    };
    let scores: Vec<Option<f64>> = store
        .list(&by_score)
        .await
        .unwrap()
        .items
        .iter()
        .map(|s| s.score)
        .collect();
    assert_eq!(scores, [Some(72.0), Some(55.5), Some(38.0), None]);

    // A selection comes back in its own order; unknown SIRETs are skipped.
    let sel: Vec<String> = ["44444444400044", "99999999999999", "11111111100011"]
        .map(String::from)
        .to_vec();
    let got: Vec<String> = store
        .by_sirets(&sel)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.siret)
        .collect();
    assert_eq!(got, ["44444444400044", "11111111100011"]);
    assert!(store.by_sirets(&[]).await.unwrap().is_empty());

    // Publishing again replaces the snapshot.
    store.publish(&sample()[..1]).await.unwrap();
    assert_eq!(store.list(&ListFilter::default()).await.unwrap().total, 1);

    counselor_filters(&store).await;
    basin_summaries(&store).await;
    fair_rotation(store).await;
}

/// Basin summaries are written with the establishments and read back whole;
/// totals add published figures only.
async fn basin_summaries(store: &PublishedStore) {
    let with_split = |mut d: EstablishmentDetail, cdi: i64, priority: Option<i64>| {
        d.hires_cdi = Some(cdi);
        d.hires_cdd = d.summary.hires.map(|h| h - cdi);
        d.hires_priority = priority;
        d
    };
    let mut rows = sample();
    // Hires 40 (women 20) and 12 (women 6) in basin 691; 9 (women 4) in 133;
    // Épicerie C's 3 hires are hidden on its card.
    rows[0] = with_split(rows[0].clone(), 30, Some(10));
    rows[1] = with_split(rows[1].clone(), 2, None);
    rows[2].summary.hires = None;
    rows[2].hires_women = None;
    rows[3] = with_split(rows[3].clone(), 5, Some(1));
    store.publish(&rows).await.unwrap();
    let basins = store.basins().await.unwrap();
    let codes: Vec<&str> = basins.iter().map(|b| b.basin.as_str()).collect();
    assert_eq!(codes, ["133", "691"]);
    let lyon = &basins[1].figures;
    assert_eq!(basins[1].label, "Bassin 691");
    assert_eq!((lyon.establishments, lyon.calculable), (2, 2));
    assert_eq!((lyon.engaged, lyon.welcoming), (1, 1));
    assert_eq!(lyon.median_score, Some((72.0 + 55.5) / 2.0));
    assert_eq!(lyon.hires, Some(52));
    assert_eq!(lyon.women_share, Some(26.0 / 52.0));
    // 32 / 52 = 0.615384…, published to four decimals.
    assert_eq!(lyon.cdi_share, Some(0.6154));
    // Priority hires are published for the Brasserie only: 10 of 40.
    assert_eq!(lyon.priority_share, Some(10.0 / 40.0));
    let sectors: Vec<(&str, &str)> = basins[1]
        .sectors
        .iter()
        .map(|s| (s.section.as_str(), s.label.as_str()))
        .collect();
    assert_eq!(
        sectors,
        [
            ("I", "Hébergement et restauration"),
            ("Q", "Santé humaine et action sociale")
        ]
    );
    // Basin 133: C's hidden hires are not in the total (9 is D's alone).
    let marseille = &basins[0].figures;
    assert_eq!(marseille.hires, Some(9));
    assert_eq!(marseille.hires_covered, 1);
    assert_eq!(marseille.median_score, Some(38.0));
    // 9 hires < 11: no priority share.
    assert_eq!(marseille.priority_share, None);

    let compared = store
        .compare_basins(&["691".into(), "133".into()])
        .await
        .unwrap();
    assert_eq!(compared[0], basins[1]);
    assert_eq!(compared[1], basins[0]);
    match store.compare_basins(&["691".into(), "999".into()]).await {
        Err(StoreError::Filter(m)) => assert!(m.contains("999"), "{m}"),
        other => panic!("expected a filter error, got {other:?}"),
    }
    // The card keeps its priority hires.
    let d = store.detail("11111111100011").await.unwrap().unwrap();
    assert_eq!(d.hires_priority, Some(10));
    // Republishing replaces the summaries too.
    store.publish(&rows[..1]).await.unwrap();
    assert_eq!(store.basins().await.unwrap().len(), 1);
}

fn with_component(
    mut d: EstablishmentDetail,
    key: &str,
    position: Option<f64>,
) -> EstablishmentDetail {
    d.components.push(ComponentView {
        key: key.into(),
        label: format!("Composante {key}"),
        dimension: "ouverture".into(),
        value: position.map(|p| p / 100.0),
        peer_median: Some(0.5),
        position,
        n: 20,
        note: None,
    });
    d
}

/// Département, NAF division, size, profile focus, minimum CDI share, map extent.
async fn counselor_filters(store: &PublishedStore) {
    let mut rows = Vec::new();
    // (siret, naf, commune, size, senior position, cdi share, lng, lat)
    let spec = [
        (
            "10000000000001",
            "8810A",
            "69123",
            "10-49",
            Some(90.0),
            Some(0.80),
            4.84,
            45.76,
        ),
        (
            "10000000000002",
            "8891A",
            "69266",
            "1-9",
            Some(40.0),
            Some(0.30),
            4.88,
            45.77,
        ),
        (
            "10000000000003",
            "5610A",
            "2A004",
            "10-49",
            None,
            Some(0.45),
            8.74,
            41.93,
        ),
        (
            "10000000000004",
            "8810B",
            "97411",
            "250+",
            Some(75.0),
            None,
            55.45,
            -20.88,
        ),
        (
            "10000000000005",
            "4711D",
            "69123",
            "10-49",
            Some(10.0),
            Some(0.40),
            4.84,
            45.75,
        ),
    ];
    for (i, (siret, naf, commune, size, senior, cdi, lng, lat)) in spec.into_iter().enumerate() {
        let mut d = row(
            siret,
            "X",
            naf,
            "691",
            Some(50.0 + i as f64),
            "accueillante",
            20,
        );
        d.summary.commune = Some(commune.into());
        d.summary.size_band = Some(size.into());
        d.summary.division_label = Some(format!("Division de {}", &naf[..2]));
        d.summary.cdi_share = cdi;
        d.summary.lng = Some(lng);
        d.summary.lat = Some(lat);
        d.components.clear();
        rows.push(with_component(d, "senior", senior));
    }
    store.publish(&rows).await.unwrap();
    let sirets = |page: ancrage_published::ListPage| -> Vec<String> {
        page.items
            .into_iter()
            .map(|s| s.siret[12..].to_string())
            .collect()
    };
    let list = |f: ListFilter| async move { store.list(&f).await.unwrap() };

    let in_69 = list(ListFilter {
        departement: Some("69".into()),
        sort: Some("score".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sirets(in_69), ["05", "02", "01"]);
    let corsica = list(ListFilter {
        departement: Some("2A".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sirets(corsica), ["03"]);
    let reunion = list(ListFilter {
        departement: Some("974".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sirets(reunion), ["04"]);
    let div_88 = list(ListFilter {
        division: Some("88".into()),
        sort: Some("name".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sirets(div_88), ["01", "02", "04"]);
    let small = list(ListFilter {
        size: Some("10-49".into()),
        sort: Some("score".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sirets(small), ["05", "03", "01"]);

    // Profile focus: only where the component is published, best position first.
    let seniors = list(ListFilter {
        profile: Some("seniors".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sirets(seniors), ["01", "04", "02", "05"]);
    // An explicit sort wins over the profile's ranking, the restriction stays.
    let seniors_by_score = list(ListFilter {
        profile: Some("seniors".into()),
        sort: Some("score".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sirets(seniors_by_score), ["05", "04", "02", "01"]);

    // Minimum CDI share (percent): 0.45 ≥ 45 % is kept, unknown shares are not.
    let cdi = list(ListFilter {
        cdi_min: Some(45),
        sort: Some("score".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sirets(cdi), ["03", "01"]);

    // Map extent around Lyon.
    let lyon = list(ListFilter {
        bbox: Some("4.80,45.70,4.90,45.80".into()),
        sort: Some("score".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sirets(lyon), ["05", "02", "01"]);

    // Facets: départements and divisions with counts, sizes in their fixed order.
    let opts = store
        .filter_options(&ListFilter {
            departement: Some("69".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let deps: Vec<(&str, i64)> = opts
        .departements
        .iter()
        .map(|o| (o.code.as_str(), o.count))
        .collect();
    assert_eq!(deps, [("2A", 1), ("69", 3), ("974", 1)]);
    let divs: Vec<(&str, &str, i64)> = opts
        .divisions
        .iter()
        .map(|o| (o.code.as_str(), o.label.as_str(), o.count))
        .collect();
    assert_eq!(
        divs,
        [
            ("47", "47 — Division de 47", 1),
            ("56", "56 — Division de 56", 0),
            ("88", "88 — Division de 88", 2)
        ]
    );
    let sizes: Vec<(&str, i64)> = opts
        .sizes
        .iter()
        .map(|o| (o.code.as_str(), o.count))
        .collect();
    assert_eq!(
        sizes,
        [("1-9", 1), ("10-49", 2), ("50-249", 0), ("250+", 0)]
    );
    // Inside section Q only divisions of Q are offered.
    let opts = store
        .filter_options(&ListFilter {
            section: Some("Q".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let divs: Vec<&str> = opts.divisions.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(divs, ["88"]);
}

/// Inside a band the order follows the day's rotation, and changes with the day.
async fn fair_rotation(store: PublishedStore) {
    use ancrage_store::{rotation_factor, rotation_key, ROTATION_PRIME};
    let mut rows = Vec::new();
    for i in 0..12 {
        let band = if i < 9 { "engagee" } else { "accueillante" };
        rows.push(row(
            &format!("200000000000{i:02}"),
            "R",
            "5610A",
            "691",
            Some(90.0 - i as f64),
            band,
            20,
        ));
    }
    store.publish(&rows).await.unwrap();
    let mut firsts = std::collections::BTreeSet::new();
    let mut previous: Option<Vec<String>> = None;
    for day in 20_400..20_407 {
        let store = store.clone().with_rotation_day(day);
        let got: Vec<String> = store
            .list(&ListFilter::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.siret)
            .collect();
        // Expected: engaged ones first, each band ordered by (key × factor) mod p, computed here.
        let factor = rotation_factor(day) as i128;
        let mut expected: Vec<(usize, i128, String)> = rows
            .iter()
            .map(|d| {
                let rank = usize::from(d.summary.band != "engagee");
                let k = rotation_key(&d.summary.siret) as i128 * factor % ROTATION_PRIME as i128;
                (rank, k, d.summary.siret.clone())
            })
            .collect();
        expected.sort();
        let expected: Vec<String> = expected.into_iter().map(|(.., s)| s).collect();
        assert_eq!(got, expected, "day {day}");
        assert_ne!(
            previous.as_ref(),
            Some(&got),
            "the order changes from one day to the next"
        );
        firsts.insert(got[0].clone());
        previous = Some(got);
    }
    assert!(
        firsts.len() >= 3,
        "over a week, several establishments come first: {firsts:?}"
    );
}

#[tokio::test]
async fn sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sub/published.db", dir.path().display());
    let store = PublishedStore::open(&url).await.unwrap();
    suite(store).await;
    // Re-opening runs no migration twice and keeps the data.
    let again = PublishedStore::open(&url).await.unwrap();
    assert_eq!(again.list(&ListFilter::default()).await.unwrap().total, 12);
}

#[tokio::test]
async fn postgres_store() {
    let Ok(admin_url) = std::env::var("ANCRAGE_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "ANCRAGE_TEST_POSTGRES_URL must be set in CI (scripts/test.sh sets it)"
        );
        eprintln!("skipped: set ANCRAGE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test");
        return;
    };
    let db = format!("ancrage_store_test_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    let pool = &admin;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {db}"))
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {db}"))
        .execute(pool)
        .await
        .unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{db}"),
        None => panic!("unexpected URL {admin_url}"),
    };
    let store = PublishedStore::open(&url).await.unwrap();
    suite(store.clone()).await;
    store.pool().close().await;
    // FORCE: a connection of a pool dropped without `close` (stores opened by
    // the suite) may still be finishing; it must not fail the test.
    sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .execute(pool)
        .await
        .unwrap();
}
