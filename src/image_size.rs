//! Width and height of local images, so the page reserves their space
//! before they load. Raster formats are read from their headers by the
//! `imagesize` crate; an SVG gives its size where its root element
//! declares one (`width`/`height` in pixels, else its `viewBox`).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The size of the image in `bytes`, if it is one with a size to tell.
pub(crate) fn of(bytes: &[u8], name: &str) -> Option<(u32, u32)> {
    if name.ends_with(".svg") {
        return svg_size(std::str::from_utf8(bytes).ok()?);
    }
    let size = imagesize::blob_size(bytes).ok()?;
    let width = u32::try_from(size.width).ok().filter(|&w| w > 0)?;
    let height = u32::try_from(size.height).ok().filter(|&h| h > 0)?;
    Some((width, height))
}

/// `of`, read once per file: `key` names the content (a hashed asset's
/// output name), so the preview reads an unchanged image only once however
/// often it reloads the design.
pub(crate) fn cached(key: &str, bytes: &[u8]) -> Option<(u32, u32)> {
    type Sizes = HashMap<String, Option<(u32, u32)>>;
    static SIZES: OnceLock<Mutex<Sizes>> = OnceLock::new();
    let sizes = SIZES.get_or_init(Mutex::default);
    if let Some(size) = sizes.lock().expect("no panic holds it").get(key) {
        return *size;
    }
    let size = of(bytes, key);
    sizes
        .lock()
        .expect("no panic holds it")
        .insert(key.to_string(), size);
    size
}

fn svg_size(text: &str) -> Option<(u32, u32)> {
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attribute = |name: &str| -> Option<&str> {
        let at = tag.find(&format!(" {name}="))? + name.len() + 2;
        let quote = tag[at..].chars().next()?;
        let value = &tag[at + 1..];
        Some(&value[..value.find(quote)?])
    };
    let pixels = |value: &str| -> Option<u32> {
        let number = value.trim().strip_suffix("px").unwrap_or(value.trim());
        let n: f64 = number.parse().ok()?;
        (1.0..100_000.0).contains(&n).then(|| n.round() as u32)
    };
    if let (Some(w), Some(h)) = (attribute("width"), attribute("height"))
        && let (Some(w), Some(h)) = (pixels(w), pixels(h))
    {
        return Some((w, h));
    }
    let view_box: Vec<&str> = attribute("viewBox")?
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .collect();
    match view_box[..] {
        [_, _, w, h] => Some((pixels(w)?, pixels(h)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x2 PNG: the signature and an IHDR chunk are all `imagesize` reads.
    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    #[test]
    fn raster_sizes_come_from_the_header() {
        assert_eq!(of(&png(3, 2), "a.png"), Some((3, 2)));
        let gif = [&b"GIF89a\x05\x00\x07\x00"[..], &[0; 16]].concat();
        assert_eq!(of(&gif, "a.gif"), Some((5, 7)));
        assert_eq!(of(b"not an image", "a.png"), None);
    }

    #[test]
    fn an_svg_gives_the_size_it_declares() {
        let svg = |attrs: &str| {
            format!(
                "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" {attrs}><rect/></svg>"
            )
        };
        assert_eq!(
            of(svg("width=\"32\" height=\"16px\"").as_bytes(), "a.svg"),
            Some((32, 16))
        );
        assert_eq!(
            of(svg("viewBox=\"0 0 64 48\"").as_bytes(), "a.svg"),
            Some((64, 48))
        );
        assert_eq!(
            of(
                svg("width='100%' height='50%' viewBox='0,0,10,5'").as_bytes(),
                "a.svg"
            ),
            Some((10, 5))
        );
        assert_eq!(of(svg("width=\"2em\"").as_bytes(), "a.svg"), None);
    }
}
