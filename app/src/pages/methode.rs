//! The method page, in French: what the figures mean and their limits.

use leptos::prelude::*;

#[component]
pub fn MethodePage() -> impl IntoView {
    view! {
        <article class="methode">
            <h1>"Méthode"</h1>
            <p>"Ancrage lit les déclarations sociales nominatives (DSN) des employeurs et calcule, pour chaque établissement (SIRET), qui il embauche, quels contrats il propose et si les personnes restent."</p>
            <h2>"Indicateurs de cette version"</h2>
            <ul>
                <li>"Embauches : personnes dont un contrat CDI ou CDD commence dans la fenêtre d'observation (5 ans au plus)."</li>
                <li>"Part de femmes parmi les personnes embauchées."</li>
                <li>"Part de CDI parmi les embauches."</li>
            </ul>
            <h2>"Secret statistique"</h2>
            <p>"Aucune part n'est affichée lorsqu'elle repose sur moins de 5 personnes. Les identifiants des personnes sont pseudonymisés dès la lecture et ne sont jamais publiés."</p>
            <h2>"Score"</h2>
            <p>"Le score d'engagement compare chaque établissement à ses pairs (même secteur, même taille). Il est « non calculable » quand il y a trop peu d'embauches : nous n'affichons jamais un chiffre fragile."</p>
        </article>
    }
}
