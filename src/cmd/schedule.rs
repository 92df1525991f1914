use std::path::Path;

use anyhow::{Result, bail};

use notesite::{coming_changes, now};

use crate::cli::ScheduleCmdArgs;

/// Prints what will appear or expire after *now*, so a CI cron knows when
/// the next build matters.
pub(super) fn execute(root: &Path, args: ScheduleCmdArgs) -> Result<()> {
    let now = now(args.now.as_deref()).map_err(anyhow::Error::msg)?;
    let changes = match coming_changes(root, now) {
        Ok(changes) => changes,
        Err(problems) => {
            let errors = problems.error_count();
            problems.print();
            bail!(
                "schedule found {errors} error{} in content/",
                if errors == 1 { "" } else { "s" }
            );
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&changes)?);
        return Ok(());
    }
    if changes.is_empty() {
        println!("nothing scheduled after {}", now.to_rfc3339());
    }
    for c in &changes {
        println!("{}  {:<7}  {}  ({})", c.at, c.change, c.slug, c.path);
    }
    Ok(())
}
