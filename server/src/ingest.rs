//! DSN files → declarations → engine → published store.

use crate::cli::IngestArgs;

pub async fn run(_database_url: &str, _args: &IngestArgs) -> anyhow::Result<String> {
    anyhow::bail!("ingest is being wired to the DSN reader and the engine")
}
