use std::path::Path;

use anyhow::Result;

use crate::cli::ServeArgs;
use crate::serve::{ServeOptions, run};

pub fn execute(root: &Path, args: ServeArgs) -> Result<()> {
    run(ServeOptions {
        root: root.to_path_buf(),
        bind: args.bind,
        port: args.port,
        include_drafts: args.drafts,
        open: args.open,
    })
}
