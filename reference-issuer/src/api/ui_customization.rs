//! Hosted UI customization operations: SetUICustomization,
//! GetUICustomization (`UICustomizationType`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{decode, required};
use crate::directory::ui_customization::{self, UiSpec};
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::UiCustomization;

/// The inputs of both operations (`CSS` and `ImageFile` only in Set).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UiInput {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    #[serde(rename = "CSS")]
    css: Option<String>,
    /// A blob: base64 in the JSON protocol.
    image_file: Option<String>,
}

/// The `UICustomizationType` of a customization in effect, or of none
/// (only the pool and the client asked about).
fn render(
    issuer: &Issuer,
    pool_id: &str,
    asked: Option<&str>,
    c: Option<UiCustomization>,
) -> Value {
    let Some(c) = c else {
        return json!({
            "UserPoolId": pool_id,
            "ClientId": asked.unwrap_or(crate::model::ALL_CLIENTS),
        });
    };
    let mut out = json!({
        "UserPoolId": c.user_pool_id,
        "ClientId": c.client_id,
        "CSSVersion": c.css_version,
        "CreationDate": c.creation_date,
        "LastModifiedDate": c.last_modified_date,
    });
    if let Some(url) = ui_customization::image_url(issuer, &c) {
        out["ImageUrl"] = url.into();
    }
    if let Some(css) = c.css {
        out["CSS"] = css.into();
    }
    out
}

/// SetUICustomization.
pub(crate) fn set_ui_customization(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: UiInput = decode(input)?;
    let pool_id = required(&input.user_pool_id, "userPoolId")?.to_string();
    let image = input
        .image_file
        .map(|b64| {
            STANDARD.decode(b64.as_bytes()).map_err(|_| {
                Error::serialization("ImageFile must be base64-encoded (the JSON form of a blob)")
            })
        })
        .transpose()?;
    let c = ui_customization::set(
        issuer,
        UiSpec {
            user_pool_id: pool_id.clone(),
            client_id: input.client_id.clone(),
            css: input.css,
            image,
        },
    )?;
    Ok(json!({ "UICustomization": render(issuer, &pool_id, input.client_id.as_deref(), Some(c)) }))
}

/// GetUICustomization: a client without its own customization gets the
/// pool's (`ClientId` `ALL`).
pub(crate) fn get_ui_customization(issuer: &Issuer, input: Value) -> Result<Value> {
    let input: UiInput = decode(input)?;
    let pool_id = required(&input.user_pool_id, "userPoolId")?;
    let asked = input.client_id.as_deref();
    let c = ui_customization::get(issuer, pool_id, asked)?;
    Ok(json!({ "UICustomization": render(issuer, pool_id, asked, c) }))
}
