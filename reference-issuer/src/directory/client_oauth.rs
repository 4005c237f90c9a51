//! The OAuth settings of an app client (CallbackURLs, LogoutURLs,
//! DefaultRedirectURI, AllowedOAuthFlows, AllowedOAuthScopes,
//! AllowedOAuthFlowsUserPoolClient, SupportedIdentityProviders), validated
//! as Cognito does on Create/UpdateUserPoolClient.
//!
//! Redirect URLs (callback, sign-out, default) must be absolute URIs
//! without a fragment; `http` only for a loopback host (`localhost`,
//! `127.0.0.1`, `[::1]`), `https` anywhere, and app schemes
//! (`myapp://callback`) for native apps, as AWS documents. The schemes a
//! browser would run or read locally (`javascript`, `data`, `vbscript`,
//! `file`) are refused.

use crate::directory::clients::ClientSpec;
use crate::error::{Error, Result};
use crate::issuer::Issuer;
use crate::model::OAuthFlow;
use crate::store::resource_servers as rs_rows;

/// The scopes every pool has.
pub(crate) const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// The only identity provider of our pools (no federation).
const COGNITO: &str = "COGNITO";

/// Size bounds of the shapes (`CallbackURLsListType` and friends).
const MAX_URLS: usize = 100;
const MAX_URL_CHARS: usize = 1024;
const MAX_SCOPES: usize = 50;
const MAX_SCOPE_CHARS: usize = 256;

fn shape_error(value: &str, field: &str, constraint: &str) -> Error {
    Error::invalid_parameter(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy \
         constraint: {constraint}"
    ))
}

fn check_list(list: &[String], field: &str, max_items: usize, max_chars: usize) -> Result<()> {
    if list.len() > max_items {
        return Err(shape_error(
            &format!("[{}]", list.join(", ")),
            field,
            &format!("Member must have length less than or equal to {max_items}"),
        ));
    }
    for v in list {
        let n = v.chars().count();
        if n == 0 || n > max_chars {
            return Err(shape_error(
                v,
                field,
                &format!(
                    "Member must have length less than or equal to {max_chars}, Member must \
                     have length greater than or equal to 1"
                ),
            ));
        }
    }
    Ok(())
}

/// Why `url` cannot be a redirect URL, if it cannot.
fn redirect_url_problem(url: &str) -> Option<&'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("it contains whitespace or control characters");
    }
    if url.contains('#') {
        return Some("it must not include a fragment");
    }
    let Some((scheme, rest)) = url.split_once(':') else {
        return Some("it must be an absolute URI");
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return Some("it must be an absolute URI");
    }
    let scheme = scheme.to_ascii_lowercase();
    if matches!(scheme.as_str(), "javascript" | "data" | "vbscript" | "file") {
        return Some("this scheme cannot be a redirect target");
    }
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let Some(after) = rest.strip_prefix("//") else {
        return Some("it must be an absolute URI");
    };
    let authority = &after[..after.find(['/', '?']).unwrap_or(after.len())];
    if authority.contains('@') {
        return Some("it must not include user information");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().map(|h| format!("[{h}]")),
        None => authority.split(':').next().map(str::to_string),
    }
    .unwrap_or_default()
    .to_ascii_lowercase();
    if host.is_empty() || host == "[]" {
        return Some("it must name a host");
    }
    if scheme == "http" && !matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]") {
        return Some("HTTPS is required except for http://localhost");
    }
    None
}

fn check_urls(urls: &[String], field: &str, what: &str) -> Result<()> {
    check_list(urls, field, MAX_URLS, MAX_URL_CHARS)?;
    for url in urls {
        if let Some(why) = redirect_url_problem(url) {
            return Err(Error::invalid_parameter(format!(
                "Invalid {what} {url}: {why}."
            )));
        }
    }
    Ok(())
}

/// Validates the OAuth settings of `spec` for a client of `pool_id`
/// (`has_secret`: the client has a secret once created or updated).
pub(crate) fn check(
    issuer: &Issuer,
    pool_id: &str,
    spec: &ClientSpec,
    has_secret: bool,
) -> Result<()> {
    let callbacks = spec.callback_urls.as_deref().unwrap_or_default();
    check_urls(callbacks, "callbackURLs", "CallbackURL")?;
    check_urls(
        spec.logout_urls.as_deref().unwrap_or_default(),
        "logoutURLs",
        "LogoutURL",
    )?;
    if let Some(default) = &spec.default_redirect_uri {
        check_urls(
            std::slice::from_ref(default),
            "defaultRedirectURI",
            "DefaultRedirectURI",
        )?;
        if !callbacks.contains(default) {
            return Err(Error::invalid_parameter(format!(
                "DefaultRedirectURI {default} must be one of the CallbackURLs."
            )));
        }
    }
    for idp in spec
        .supported_identity_providers
        .as_deref()
        .unwrap_or_default()
    {
        if idp != COGNITO {
            return Err(Error::invalid_parameter(format!(
                "The provider {idp} does not exist for User Pool {pool_id}"
            )));
        }
    }
    let scopes = spec.allowed_oauth_scopes.as_deref().unwrap_or_default();
    check_list(scopes, "allowedOAuthScopes", MAX_SCOPES, MAX_SCOPE_CHARS)?;
    if !scopes.is_empty() {
        let servers = issuer.read(|c| Ok(rs_rows::list_resource_servers(c, pool_id)?))?;
        for s in scopes.iter().map(String::as_str) {
            let custom = servers.iter().any(|rs| rs.has_scope(s));
            if !STANDARD_SCOPES.contains(&s) && !custom {
                return Err(Error::scope_does_not_exist(format!(
                    "Invalid scope requested: {s}"
                )));
            }
        }
    }
    let flows = spec.allowed_oauth_flows.as_deref().unwrap_or_default();
    let browser = flows
        .iter()
        .any(|f| matches!(f, OAuthFlow::Code | OAuthFlow::Implicit));
    if flows.contains(&OAuthFlow::ClientCredentials) {
        if browser {
            return Err(Error::invalid_oauth_flow(
                "client_credentials flow can not be selected along with code flow or implicit \
                 flow.",
            ));
        }
        if !has_secret {
            return Err(Error::invalid_oauth_flow(
                "client_credentials flow can not be selected if client does not have a client \
                 secret.",
            ));
        }
    }
    if browser && callbacks.is_empty() {
        return Err(Error::invalid_oauth_flow(
            "CallbackUrls can not be empty when code flow or implicit flow is selected",
        ));
    }
    if spec.allowed_oauth_flows_user_pool_client == Some(true)
        && (flows.is_empty() || scopes.is_empty())
    {
        return Err(Error::invalid_oauth_flow(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is \
             allowed to use OAuth flows.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_urls_follow_cognitos_rules() {
        for ok in [
            "https://app.example.com/cb",
            "https://app.example.com:8443/cb?x=1",
            "http://localhost:3000/callback",
            "http://LOCALHOST/",
            "http://127.0.0.1:8080/cb",
            "http://[::1]:8080/cb",
            "myapp://callback",
            "com.example.app:/oauth",
        ] {
            assert_eq!(redirect_url_problem(ok), None, "{ok}");
        }
        for bad in [
            "/relative",
            "app.example.com/cb",
            "https://app.example.com/cb#frag",
            "http://app.example.com/cb",
            "http://localhost.evil.example/cb",
            "http://127.0.0.1.evil.example/",
            "https://user@app.example.com/",
            "https:///path",
            "https://app.example.com/a b",
            "javascript:alert(1)",
            "JavaScript://%0aalert(1)",
            "data:text/html,hi",
            "1http://x",
            "https:",
        ] {
            assert!(redirect_url_problem(bad).is_some(), "{bad}");
        }
    }
}
