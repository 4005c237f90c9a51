//! What both load generators share: the seeded users' password and one call
//! of the issuer's Cognito JSON API over HTTP.

use serde_json::Value;

/// The password every seeded load-test user gets.
pub(crate) const PASSWORD: &str = "Corr3ct-Horse!";

/// One `AWSCognitoIdentityProviderService` operation; `Err` carries the error body.
pub(crate) async fn call(
    http: &reqwest::Client,
    base: &str,
    op: &str,
    body: &Value,
) -> Result<Value, String> {
    let resp = http
        .post(format!("{base}/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let ok = resp.status().is_success();
    let v: Value = resp.json().await.map_err(|e| e.to_string())?;
    if ok { Ok(v) } else { Err(v.to_string()) }
}
