//! How long-running stages report progress: a two-method trait, so
//! rendering and publishing do not depend on how (or whether) it is shown.
//! The commands show an indicatif bar; the preview and tests show nothing.

/// Something that counts work done out of a total.
pub trait Progress: Sync {
    fn set_length(&self, total: u64);
    fn inc(&self, done: u64);
}

/// Progress nobody sees.
pub struct Silent;

impl Progress for Silent {
    fn set_length(&self, _: u64) {}
    fn inc(&self, _: u64) {}
}

impl Progress for indicatif::ProgressBar {
    fn set_length(&self, total: u64) {
        indicatif::ProgressBar::set_length(self, total);
    }

    fn inc(&self, done: u64) {
        indicatif::ProgressBar::inc(self, done);
    }
}
