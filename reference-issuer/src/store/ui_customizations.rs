//! Hosted UI customizations (one row per pool default or app client).

use rusqlite::{Connection, params};

use super::{Result, StoreError, optional};
use crate::model::{ImageType, UiCustomization};

/// Inserts or replaces the customization of `(pool, client)`.
pub(crate) fn put_ui_customization(conn: &Connection, c: &UiCustomization) -> Result<()> {
    let (image_type, image) = match &c.image {
        Some((t, bytes)) => (Some(t.as_str()), Some(bytes.as_slice())),
        None => (None, None),
    };
    conn.execute(
        "INSERT INTO ui_customizations(pool_id, client_id, css, image, image_type, css_version, \
         created_at, modified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT(pool_id, client_id) DO UPDATE SET css = excluded.css, \
         image = excluded.image, image_type = excluded.image_type, \
         css_version = excluded.css_version, modified_at = excluded.modified_at",
        params![
            c.user_pool_id,
            c.client_id,
            c.css,
            image,
            image_type,
            c.css_version,
            c.creation_date,
            c.last_modified_date
        ],
    )?;
    Ok(())
}

/// The customization of `(pool, client)` (`client` may be `ALL`), if any.
pub(crate) fn get_ui_customization(
    conn: &Connection,
    pool_id: &str,
    client_id: &str,
) -> Result<Option<UiCustomization>> {
    type Row = (
        Option<String>,
        Option<Vec<u8>>,
        Option<String>,
        String,
        f64,
        f64,
    );
    let row: Option<Row> = optional(conn.query_row(
        "SELECT css, image, image_type, css_version, created_at, modified_at \
         FROM ui_customizations WHERE pool_id = ?1 AND client_id = ?2",
        params![pool_id, client_id],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    ))?;
    let Some((css, image, image_type, css_version, created, modified)) = row else {
        return Ok(None);
    };
    let image = match (image, image_type) {
        (Some(bytes), Some(t)) => {
            let t = ImageType::parse(&t)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown image type {t}")))?;
            Some((t, bytes))
        }
        _ => None,
    };
    Ok(Some(UiCustomization {
        user_pool_id: pool_id.to_string(),
        client_id: client_id.to_string(),
        css,
        image,
        css_version,
        creation_date: created,
        last_modified_date: modified,
    }))
}
