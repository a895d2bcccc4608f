//! The wasm entry point.
//!
//! Default (`hydrate`): makes the server-rendered page interactive.
//! `csr` (Trunk build): renders the whole UI in the browser, server functions
//! going to a running `ancrage serve` through Trunk's proxy.

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

#[cfg(feature = "csr")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
