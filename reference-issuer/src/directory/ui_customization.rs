//! Hosted UI customizations (SetUICustomization / GetUICustomization): CSS
//! and a logo per pool (client id `ALL`) or per app client, validated as
//! AWS documents, and the look in effect for a pool and client.
//!
//! What is accepted (AWS's documented rules, made strict where AWS is
//! vague, so the stylesheet cannot reach beyond the page's own classes):
//! * CSS of at most 131,072 characters (the `CSSType` shape), made of
//!   comments and rules whose selectors are only AWS's `-customizable`
//!   classes ([`CSS_CLASSES`]); no at-rule (`@import`, `@media`, ...), no
//!   `url(`, `expression(`, `javascript:`, backslash escapes or `<`.
//! * A PNG or JPEG logo of at most 100 KB.
//! * Setting replaces both (AWS cannot set CSS and logo separately).
//! * The pool must have a domain (CreateUserPoolDomain), as in AWS.

use sha2::{Digest, Sha256};

use crate::directory::clients;
use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::{ALL_CLIENTS, ImageType, UiCustomization};
use crate::store::{domains as domain_rows, ui_customizations as rows};

/// The selectors a customization may style: the classes AWS's hosted UI
/// (classic) documents as customizable.
pub(crate) const CSS_CLASSES: &[&str] = &[
    ".background-customizable",
    ".banner-customizable",
    ".errorMessage-customizable",
    ".idpButton-customizable",
    ".idpButton-customizable:hover",
    ".idpDescription-customizable",
    ".inputField-customizable",
    ".inputField-customizable:focus",
    ".label-customizable",
    ".legalText-customizable",
    ".logo-customizable",
    ".passwordCheck-notValid-customizable",
    ".passwordCheck-valid-customizable",
    ".redirect-customizable",
    ".socialButton-customizable",
    ".submitButton-customizable",
    ".submitButton-customizable:hover",
    ".textDescription-customizable",
];

/// The `CSSType` length bound.
const MAX_CSS_CHARS: usize = 131_072;
/// The `ImageFileType` length bound (bytes).
const MAX_IMAGE_FIELD: usize = 131_072;
/// AWS's documented logo limit.
const MAX_LOGO_BYTES: usize = 100 * 1024;

/// What SetUICustomization asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct UiSpec {
    /// The pool.
    pub user_pool_id: String,
    /// An app client; `None` or `ALL`: the pool's default.
    pub client_id: Option<String>,
    /// The CSS.
    pub css: Option<String>,
    /// The logo's bytes (decoded).
    pub image: Option<Vec<u8>>,
}

/// The look the hosted UI pages apply for a pool and client.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UiLook {
    /// The CSS (empty when only a logo is set).
    pub css: String,
    /// Changes with the CSS or the logo: the asset URLs' `?v=`.
    pub css_version: String,
    /// The logo, if any.
    pub logo: Option<Logo>,
}

/// A logo image.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Logo {
    /// `image/png` or `image/jpeg`.
    pub content_type: &'static str,
    /// The image.
    pub bytes: Vec<u8>,
}

fn invalid_css(reason: &str) -> Error {
    Error::invalid_parameter(format!("Invalid CSS: {reason}"))
}

/// Checks CSS against the rules in the module documentation.
pub(crate) fn check_css(css: &str) -> Result<()> {
    if css.chars().count() > MAX_CSS_CHARS {
        return Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value at 'css' failed to satisfy constraint: Member \
             must have length less than or equal to {MAX_CSS_CHARS}"
        )));
    }
    let lower = css.to_ascii_lowercase();
    if css.contains('@') {
        return Err(invalid_css(
            "at-rules (@import, @media, @font-face, ...) are not accepted",
        ));
    }
    for (needle, what) in [
        ("url(", "url() is not accepted"),
        ("expression(", "expression() is not accepted"),
        ("javascript:", "scripts are not accepted"),
        ("\\", "escapes are not accepted"),
        ("<", "'<' is not accepted"),
    ] {
        if lower.contains(needle) {
            return Err(invalid_css(what));
        }
    }
    let text = strip_comments(css)?;
    let mut rest = text.as_str();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(());
        }
        let open = rest
            .find(['{', '}', ';'])
            .filter(|&i| rest.as_bytes()[i] == b'{')
            .ok_or_else(|| invalid_css("expected `selector { declarations }`"))?;
        for selector in rest[..open].split(',') {
            let selector = selector.trim();
            if !CSS_CLASSES.contains(&selector) {
                return Err(invalid_css(&format!(
                    "selector {selector:?} is not one of the customizable classes ({})",
                    CSS_CLASSES.join(", ")
                )));
            }
        }
        let body = &rest[open + 1..];
        let close = body
            .find(['{', '}'])
            .filter(|&i| body.as_bytes()[i] == b'}')
            .ok_or_else(|| invalid_css("unbalanced braces"))?;
        rest = &body[close + 1..];
    }
}

/// `css` without its `/* */` comments.
fn strip_comments(css: &str) -> Result<String> {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start + 2..]
            .find("*/")
            .ok_or_else(|| invalid_css("unterminated comment"))?;
        out.push(' ');
        rest = &rest[start + 2 + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The logo's format; `None` for an empty file.
pub(crate) fn check_image(bytes: &[u8]) -> Result<Option<ImageType>> {
    if bytes.is_empty() {
        return Ok(None);
    }
    if bytes.len() > MAX_IMAGE_FIELD {
        return Err(Error::invalid_parameter(format!(
            "1 validation error detected: Value at 'imageFile' failed to satisfy constraint: \
             Member must have length less than or equal to {MAX_IMAGE_FIELD}"
        )));
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(Error::invalid_parameter(
            "The logo image file must be no larger than 100 KB.",
        ));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(Some(ImageType::Png))
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        Ok(Some(ImageType::Jpeg))
    } else {
        Err(Error::invalid_parameter(
            "The logo image must be a PNG or JPEG file.",
        ))
    }
}

/// The stored client id of a request's `ClientId` (`ALL` for the pool),
/// after checking that the pool and client exist.
fn target(issuer: &Issuer, pool_id: &str, client_id: Option<&str>) -> Result<String> {
    issuer.pool(pool_id)?;
    match client_id {
        None | Some(ALL_CLIENTS) => Ok(ALL_CLIENTS.to_string()),
        Some(id) => Ok(clients::get(issuer, pool_id, id)?.client_id),
    }
}

fn version_of(css: Option<&str>, image: Option<&[u8]>) -> String {
    let mut h = Sha256::new();
    h.update(css.unwrap_or_default().as_bytes());
    h.update([0]);
    h.update(image.unwrap_or_default());
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Sets (replaces) a customization (SetUICustomization).
pub(crate) fn set(issuer: &Issuer, spec: UiSpec) -> Result<UiCustomization> {
    let pool_id = spec.user_pool_id;
    let client_id = target(issuer, &pool_id, spec.client_id.as_deref())?;
    if issuer
        .read(|c| Ok(domain_rows::domain_of_pool(c, &pool_id)?))?
        .is_none()
    {
        return Err(Error::invalid_parameter(
            "There has to be an existing domain associated with this user pool",
        ));
    }
    if let Some(css) = &spec.css {
        check_css(css)?;
    }
    let image = match spec.image {
        Some(bytes) => check_image(&bytes)?.map(|t| (t, bytes)),
        None => None,
    };
    let css = spec.css.filter(|c| !c.is_empty());
    let now = ids::now_f64();
    let mut record = UiCustomization {
        css_version: version_of(css.as_deref(), image.as_ref().map(|(_, b)| b.as_slice())),
        user_pool_id: pool_id,
        client_id,
        css,
        image,
        creation_date: now,
        last_modified_date: now,
    };
    issuer.write(|tx| {
        if let Some(old) = rows::get_ui_customization(tx, &record.user_pool_id, &record.client_id)?
        {
            record.creation_date = old.creation_date;
        }
        Ok(rows::put_ui_customization(tx, &record)?)
    })?;
    Ok(record)
}

/// The customization a client gets (GetUICustomization): its own, else
/// the pool's (`ALL`); `None` when neither is set. `client_id` `None` or
/// `ALL` asks for the pool's.
pub(crate) fn get(
    issuer: &Issuer,
    pool_id: &str,
    client_id: Option<&str>,
) -> Result<Option<UiCustomization>> {
    let client_id = target(issuer, pool_id, client_id)?;
    in_effect(issuer, pool_id, &client_id)
}

fn in_effect(issuer: &Issuer, pool_id: &str, client_id: &str) -> Result<Option<UiCustomization>> {
    issuer.read(|c| {
        if let Some(own) = rows::get_ui_customization(c, pool_id, client_id)? {
            return Ok(Some(own));
        }
        Ok(rows::get_ui_customization(c, pool_id, ALL_CLIENTS)?)
    })
}

/// The look the hosted UI applies for `client_id` of `pool_id` (its own
/// customization, else the pool's); `None` when neither is set or the pool
/// or client is unknown (the pages then use the default look).
pub(crate) fn effective(issuer: &Issuer, pool_id: &str, client_id: &str) -> Result<Option<UiLook>> {
    let Some(c) = in_effect(issuer, pool_id, client_id)? else {
        return Ok(None);
    };
    Ok(Some(UiLook {
        css: c.css.unwrap_or_default(),
        css_version: c.css_version,
        logo: c.image.map(|(t, bytes)| Logo {
            content_type: t.content_type(),
            bytes,
        }),
    }))
}

/// `ImageUrl`: where the issuer serves a customization's logo (`None`
/// without one).
pub(crate) fn image_url(issuer: &Issuer, c: &UiCustomization) -> Option<String> {
    c.image.as_ref().map(|_| {
        format!(
            "{}/hosted-ui/{}/{}/logo?v={}",
            issuer.public_url, c.user_pool_id, c.client_id, c.css_version
        )
    })
}

/// Sets a customization from a configuration file unless the same CSS and
/// logo are already in place (idempotent).
pub(crate) fn set_if_changed(issuer: &Issuer, spec: UiSpec) -> Result<()> {
    let client_id = target(issuer, &spec.user_pool_id, spec.client_id.as_deref())?;
    let current = issuer.read(|c| {
        Ok(rows::get_ui_customization(
            c,
            &spec.user_pool_id,
            &client_id,
        )?)
    })?;
    let css = spec.css.as_deref().filter(|c| !c.is_empty());
    let image = spec.image.as_deref().filter(|i| !i.is_empty());
    if current.is_some_and(|c| {
        c.css.as_deref() == css && c.image.as_ref().map(|(_, b)| b.as_slice()) == image
    }) {
        return Ok(());
    }
    set(issuer, spec).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_is_limited_to_the_customizable_classes() {
        for ok in [
            "",
            "/* brand */ .banner-customizable { background-color: #123456; }",
            ".submitButton-customizable, .submitButton-customizable:hover { color: white }\n\
             .logo-customizable{max-width:60%}",
        ] {
            assert!(check_css(ok).is_ok(), "{ok}");
        }
        for bad in [
            "@import 'https://evil.example/x.css';",
            "@media print { .banner-customizable { color: red } }",
            "body { color: red }",
            ".banner-customizable { background: url(https://evil.example/a.png) }",
            ".banner-customizable { color: red } </style><script>",
            ".banner-customizable { color: red",
            ".banner-customizable { a { } }",
            ".banner-customizable, body { color: red }",
            "/* open",
            ".banner-customizable { content: '\\40 import' }",
            "color: red;",
        ] {
            let e = check_css(bad).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter, "{bad}");
        }
    }

    #[test]
    fn logos_are_small_pngs_or_jpegs() {
        assert_eq!(check_image(b"").unwrap(), None);
        assert_eq!(
            check_image(b"\x89PNG\r\n\x1a\nrest").unwrap(),
            Some(ImageType::Png)
        );
        assert_eq!(
            check_image(b"\xFF\xD8\xFF\xE0rest").unwrap(),
            Some(ImageType::Jpeg)
        );
        assert!(check_image(b"GIF89a").is_err());
        assert!(check_image(b"<svg onload=alert(1)>").is_err());
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert!(check_image(&big).is_err());
    }
}
