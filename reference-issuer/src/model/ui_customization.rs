//! Hosted UI customizations (`UICustomizationType`): CSS and a logo per
//! pool (client id `ALL`) or per app client.

/// The client id under which a pool's default customization is kept (and
/// which SetUICustomization accepts for it).
pub(crate) const ALL_CLIENTS: &str = "ALL";

/// A logo image's format (the two AWS accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageType {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

impl ImageType {
    /// The stored name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
        }
    }

    /// The format of a stored name.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "png" => Some(Self::Png),
            "jpeg" => Some(Self::Jpeg),
            _ => None,
        }
    }

    /// The `Content-Type` the image is served with.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// One stored customization.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UiCustomization {
    /// The pool.
    pub user_pool_id: String,
    /// The app client, or [`ALL_CLIENTS`] for the pool's default.
    pub client_id: String,
    /// The CSS (validated), if any.
    pub css: Option<String>,
    /// The logo, if any.
    pub image: Option<(ImageType, Vec<u8>)>,
    /// Changes whenever the CSS or the logo does (a digest of both):
    /// `CSSVersion`, and the cache-busting query of the asset URLs.
    pub css_version: String,
    /// Creation time (epoch seconds).
    pub creation_date: f64,
    /// Last modification time (epoch seconds).
    pub last_modified_date: f64,
}
