use std::path::Path;

use anyhow::{Result, bail};

use crate::cli::ServeArgs;
use notesite::{CONFIG_FILE, ServeOptions, SiteConfig, serve as run};

pub(super) fn execute(root: &Path, args: ServeArgs) -> Result<()> {
    // Without a site.yaml there is no site to preview: fail as `build`
    // does, instead of serving nothing while claiming to serve the last
    // good pages. A site.yaml with errors still starts: the preview waits
    // for the fix.
    if !root.join(CONFIG_FILE).is_file()
        && let Err(problems) = SiteConfig::load(root)
    {
        for problem in &problems {
            eprintln!("{problem}");
        }
        bail!("no site to preview in {}", root.display());
    }
    run(ServeOptions {
        root: root.to_path_buf(),
        bind: args.bind,
        port: args.port,
        visibility: super::visibility(args.drafts, &args.schedule)?,
        open: args.open,
    })
}
