//! One term's postings as a build holds them until the index is laid out:
//! (article, weighted term frequency) pairs packed as varints.
//!
//! A build collects the postings of every indexed article while the pages
//! render, and holds them to the end. As `Vec<(u32, f32)>` they took 8
//! bytes a pair and up to as many again in growth slack, and every term
//! with one posting an allocation of four pairs: about 1.9 KiB per synth
//! article, the largest thing a build adds while it renders. Packed, an
//! article's number is a delta from the one before (most are a byte) and a
//! frequency is its `f32` bits reversed (the small whole and half numbers
//! field weights make have their set bits at the top, so they take one or
//! two bytes). Nothing is rounded: every pair reads back as it was put in.

/// A term's postings, packed; see the module's comment.
#[derive(Default)]
pub(crate) struct TermList {
    bytes: Vec<u8>,
    len: u32,
    /// The article of the last pair, which the next delta is from.
    last: u32,
}

impl TermList {
    /// The pairs of `pairs`, in their order.
    pub(crate) fn of(pairs: impl IntoIterator<Item = (u32, f32)>) -> TermList {
        let mut list = TermList::default();
        list.extend(pairs);
        list
    }

    /// Adds a pair after the others. Articles may come in any order (pages
    /// render in parallel); `sorted` puts them in article order.
    pub(crate) fn push(&mut self, doc: u32, tf: f32) {
        let delta = i64::from(doc) - i64::from(self.last);
        put_varint(&mut self.bytes, zigzag(delta));
        put_varint(&mut self.bytes, u64::from(tf.to_bits().reverse_bits()));
        self.last = doc;
        self.len += 1;
    }

    pub(crate) fn extend(&mut self, pairs: impl IntoIterator<Item = (u32, f32)>) {
        for (doc, tf) in pairs {
            self.push(doc, tf);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The pairs, in the order they were added.
    pub(crate) fn iter(&self) -> Pairs<'_> {
        Pairs {
            bytes: &self.bytes,
            last: 0,
        }
    }

    pub(crate) fn to_vec(&self) -> Vec<(u32, f32)> {
        let mut pairs = Vec::with_capacity(self.len());
        pairs.extend(self.iter());
        pairs
    }

    /// The same pairs by article, with no room to grow: the list is done.
    pub(crate) fn sorted(&self) -> TermList {
        let mut pairs = self.to_vec();
        pairs.sort_unstable_by_key(|&(doc, _)| doc);
        let mut list = TermList::of(pairs);
        list.bytes.shrink_to_fit();
        list
    }
}

/// The pairs of a `TermList`, read back.
pub(crate) struct Pairs<'a> {
    bytes: &'a [u8],
    last: u32,
}

impl Iterator for Pairs<'_> {
    type Item = (u32, f32);

    fn next(&mut self) -> Option<(u32, f32)> {
        if self.bytes.is_empty() {
            return None;
        }
        let delta = unzigzag(take_varint(&mut self.bytes));
        let doc = (i64::from(self.last) + delta) as u32;
        let tf = f32::from_bits((take_varint(&mut self.bytes) as u32).reverse_bits());
        self.last = doc;
        Some((doc, tf))
    }
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    (n >> 1) as i64 ^ -((n & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a varint `put_varint` wrote from the front of `bytes`.
fn take_varint(bytes: &mut &[u8]) -> u64 {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let (&byte, rest) = bytes.split_first().expect("a list holds whole pairs");
        *bytes = rest;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return n;
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_pair_reads_back_as_it_was_put_in(
            pairs in proptest::collection::vec((any::<u32>(), any::<u32>()), 0..64)
        ) {
            // Any bits at all, NaNs included: nothing is rounded.
            let pairs: Vec<(u32, u32)> = pairs;
            let list = TermList::of(pairs.iter().map(|&(d, bits)| (d, f32::from_bits(bits))));
            let back: Vec<(u32, u32)> = list.iter().map(|(d, tf)| (d, tf.to_bits())).collect();
            prop_assert_eq!(&back, &pairs);
            prop_assert_eq!(list.len(), pairs.len());
        }

        #[test]
        fn a_sorted_list_is_the_pairs_by_article(
            docs in proptest::collection::hash_set(any::<u32>(), 0..64),
            tf in 0.0f32..1000.0,
        ) {
            // Each article once in a term, in the hash set's order.
            let pairs: Vec<(u32, f32)> = docs.iter().map(|&d| (d, tf + d as f32)).collect();
            let mut expected = pairs.clone();
            expected.sort_unstable_by_key(|&(d, _)| d);
            let list = TermList::of(pairs).sorted();
            prop_assert_eq!(list.to_vec(), expected);
        }
    }

    #[test]
    fn field_weights_pack_small() {
        let list = TermList::of([(0, 1.0), (1, 2.0), (2, 3.0), (3, 0.5), (5, 12.0)]);
        // Each article one after the other: a byte; each frequency one or
        // two.
        assert!(list.bytes.len() <= 5 * 3, "{} bytes", list.bytes.len());
    }
}
