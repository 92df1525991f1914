use std::path::Path;

use anyhow::Result;

use crate::cli::ServeArgs;
use crate::serve::{ServeOptions, run};

pub fn execute(root: &Path, args: ServeArgs) -> Result<()> {
    run(ServeOptions {
        root: root.to_path_buf(),
        bind: args.bind,
        port: args.port,
        visibility: super::visibility(args.drafts, &args.schedule)?,
        open: args.open,
    })
}
