//! Basins side by side, for regional coordinators: 2 to 4 basins in a table
//! of their published totals, then one small bar chart per sector.
//!
//! The URL holds the choice (`?bassins=a,b,c`); the form's four selects
//! (`b1` … `b4`) are read too, so it works as a plain GET form.

use ancrage_published::{metric_text, Aggregate, BasinSummary, BASIN_METRICS, MAX_COMPARED};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{compare_basins, get_basins};
use crate::components::format::{count, pct, score};
use crate::components::list::error_text;

/// The compared codes, `a,b` form: from `bassins`, else from `b1` … `b4`.
fn compared(q: &leptos_router::params::ParamsMap) -> String {
    match q.get("bassins").filter(|b| !b.is_empty()) {
        Some(b) => b,
        None => (1..=MAX_COMPARED)
            .filter_map(|i| q.get(&format!("b{i}")).filter(|c| !c.is_empty()))
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// Rows of the summary table: French label and the cell text of a basin.
type Row = (&'static str, fn(&Aggregate) -> String);

const ROWS: [Row; 10] = [
    ("Établissements", |a| a.establishments.to_string()),
    ("dont avec un score", |a| a.calculable.to_string()),
    ("Engagés", |a| a.engaged.to_string()),
    ("Accueillants", |a| a.welcoming.to_string()),
    ("Score médian", |a| score(a.median_score)),
    ("Part engagés ou accueillants", |a| pct(a.engaged_share)),
    ("Embauches (personnes)", |a| count(a.hires)),
    ("Part de femmes embauchées", |a| pct(a.women_share)),
    ("Part d'embauches en CDI", |a| pct(a.cdi_share)),
    ("Part d'embauches de publics prioritaires", |a| {
        pct(a.priority_share)
    }),
];

#[component]
pub fn ComparerPage() -> impl IntoView {
    let query = use_query_map();
    let codes = Memo::new(move |_| query.with(compared));
    let metric = Memo::new(move |_| {
        query
            .with(|q| q.get("indicateur"))
            .filter(|m| BASIN_METRICS.iter().any(|(c, _)| c == m))
            .unwrap_or_else(|| "score".to_string())
    });
    let all = Resource::new(|| (), |_| get_basins());
    let chosen = Resource::new(
        move || codes.get(),
        |c| async move {
            if c.is_empty() {
                Ok(Vec::new())
            } else {
                compare_basins(c).await
            }
        },
    );
    view! {
        <Title text="Comparer des bassins d'emploi — Ancrage"/>
        <article class="compare-page">
            <h1>"Comparer des bassins d'emploi"</h1>
            <p class="lead">"Choisissez de 2 à 4 bassins : leurs établissements, leurs scores et leurs embauches côte à côte, puis secteur par secteur. Les totaux ne comptent que des chiffres publiés (voir la méthode, « secret statistique »)."</p>
            <Suspense fallback=|| view! { <p>"Chargement des bassins…"</p> }>
                {move || Suspend::new(async move {
                    let basins = all.await.unwrap_or_default();
                    let current: Vec<String> = codes.get_untracked().split(',').map(str::to_string).collect();
                    let m = metric.get_untracked();
                    view! {
                        <form method="GET" action="/comparer" class="compare-form">
                            {(0..MAX_COMPARED).map(|i| {
                                let cur = current.get(i).cloned().unwrap_or_default();
                                view! {
                                    <label>{format!("Bassin {}", i + 1)}
                                        <select name=format!("b{}", i + 1)>
                                            <option value="">"—"</option>
                                            {basins.iter().map(|b| view! {
                                                <option value=b.basin.clone() selected=cur == b.basin>{b.label.clone()}</option>
                                            }).collect_view()}
                                        </select>
                                    </label>
                                }
                            }).collect_view()}
                            <label>"Graphiques par secteur"
                                <select name="indicateur">
                                    {BASIN_METRICS.iter().map(|(c, l)| view! {
                                        <option value=*c selected=m == *c>{*l}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                            <button type="submit">"Comparer"</button>
                        </form>
                    }
                })}
            </Suspense>
            <Suspense fallback=|| view! { <p>"Calcul de la comparaison…"</p> }>
                {move || Suspend::new(async move {
                    if codes.get_untracked().is_empty() {
                        return view! { <p class="empty">"Aucun bassin choisi pour l'instant."</p> }.into_any();
                    }
                    match chosen.await {
                        Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(list) => view! {
                            <SummaryTable basins=list.clone()/>
                            <SectorCharts basins=list metric=metric.get_untracked()/>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </article>
    }
}

#[component]
fn SummaryTable(basins: Vec<BasinSummary>) -> impl IntoView {
    view! {
        <table class="compare" id="comparaison">
            <caption>"Bassins comparés"</caption>
            <thead>
                <tr>
                    <td></td>
                    {basins.iter().map(|b| view! {
                        <th scope="col"><a href=format!("/?bassin={}", b.basin)>{b.label.clone()}</a></th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {ROWS.iter().map(|(label, cell)| view! {
                    <tr>
                        <th scope="row">{*label}</th>
                        {basins.iter().map(|b| view! { <td class="num">{cell(&b.figures)}</td> }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One row per NAF section present in a compared basin; in each basin's
/// cell a bar of the chosen metric and its value written out (the bar is
/// decoration: the text carries the figure).
#[component]
fn SectorCharts(basins: Vec<BasinSummary>, metric: String) -> impl IntoView {
    let mut sections: Vec<(String, String, i64)> = Vec::new();
    for b in &basins {
        for s in &b.sectors {
            match sections.iter_mut().find(|(c, ..)| *c == s.section) {
                Some(e) => e.2 += s.figures.establishments,
                None => {
                    sections.push((s.section.clone(), s.label.clone(), s.figures.establishments))
                }
            }
        }
    }
    sections.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let label = BASIN_METRICS
        .iter()
        .find(|(c, _)| *c == metric)
        .map_or("", |(_, l)| *l);
    // Bars on a 0–100 scale (score) or 0–100 % (shares).
    let width = |v: Option<f64>| match v {
        Some(x) if metric == "score" => x.clamp(0.0, 100.0),
        Some(x) => (x * 100.0).clamp(0.0, 100.0),
        None => 0.0,
    };
    view! {
        <table class="compare sectors" id="par-secteur">
            <caption>{format!("Par secteur : {}", label.to_lowercase())}</caption>
            <thead>
                <tr>
                    <th scope="col">"Secteur"</th>
                    {basins.iter().map(|b| view! { <th scope="col">{b.label.clone()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {sections.into_iter().map(|(code, name, _)| view! {
                    <tr>
                        <th scope="row">{name}</th>
                        {basins.iter().map(|b| {
                            let s = b.sectors.iter().find(|s| s.section == code);
                            let v = s.and_then(|s| s.figures.metric(&metric));
                            let n = s.map_or(0, |s| s.figures.establishments);
                            let text = if s.is_none() { "aucun établissement".to_string() } else { metric_text(&metric, v) };
                            let n = if s.is_none() { String::new() } else { format!(" ({n} étab.)") };
                            view! {
                                <td class="bar-cell">
                                    <span class="bar-track" aria-hidden="true"><span class="bar" style=format!("width:{:.0}%", width(v))></span></span>
                                    <span class="bar-text">{text}</span>
                                    <span class="bar-n">{n}</span>
                                </td>
                            }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
