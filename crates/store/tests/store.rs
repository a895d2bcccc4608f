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
        },
        first_month: Some("2021-01".into()),
        last_month: Some("2025-12".into()),
        hires_women: Some(hires / 2),
        hires_cdi: None,
        hires_cdd: None,
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
    store.publish(&sample()).await.unwrap();

    // Everything, default order: score descending, "non calculable" last.
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

    // Publishing again replaces the snapshot.
    store.publish(&sample()[..1]).await.unwrap();
    assert_eq!(store.list(&ListFilter::default()).await.unwrap().total, 1);
}

#[tokio::test]
async fn sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sub/published.db", dir.path().display());
    let store = PublishedStore::open(&url).await.unwrap();
    suite(store).await;
    // Re-opening runs no migration twice and keeps the data.
    let again = PublishedStore::open(&url).await.unwrap();
    assert_eq!(again.list(&ListFilter::default()).await.unwrap().total, 1);
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
    sqlx::query(&format!("DROP DATABASE IF EXISTS {db}"))
        .execute(pool)
        .await
        .unwrap();
}
