//! Security schemes of an export -> `[pools.*]` and `[authorizers.*]`.
//!
//! REST: `x-amazon-apigateway-authtype: cognito_user_pools` with an
//! `x-amazon-apigateway-authorizer` whose `providerARNs` name the pools; the
//! token header is the scheme's `name` (or `identitySource`
//! `method.request.header.NAME`). Such an authorizer accepts every app
//! client of its pools unless `identityValidationExpression` lists client
//! ids (or `--client-id` does). HTTP: `type: jwt` with `jwtConfiguration`
//! `issuer` (or the scheme's `openIdConnectUrl`) and `audience`, token
//! header from `identitySource` `$request.header.NAME`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{ApiKind, ImportError, Notes, Options, Override, member, spanned};
use crate::config::{Authorizer, Pool};

/// What a security scheme became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// An `[authorizers.*]` entry of the same name.
    Authorizer,
    /// An API key requirement (not enforced; warned per route).
    ApiKey,
    /// A scheme the gatekeeper cannot enforce: routes using it are left out.
    Unsupported(String),
}

/// The pools, authorizers and what each scheme became.
#[derive(Debug, Default)]
pub(crate) struct Auth {
    pub(crate) pools: BTreeMap<String, Pool>,
    pub(crate) authorizers: BTreeMap<String, Authorizer>,
    pub(crate) schemes: BTreeMap<String, Scheme>,
}

fn unsupported(path: &str, message: impl Into<String>) -> ImportError {
    ImportError::Unsupported {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// The pool id of `arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID`.
fn pool_of_arn(arn: &str) -> Option<&str> {
    let (head, id) = arn.rsplit_once(":userpool/")?;
    (head.starts_with("arn:") && head.contains(":cognito-idp:") && !id.is_empty()).then_some(id)
}

/// `^(a|b)$`, `a|b` or `a`: client ids; anything else is a real regex.
fn literal_alternatives(expr: &str) -> Option<Vec<String>> {
    let inner = expr.strip_prefix('^').unwrap_or(expr);
    let inner = inner.strip_suffix('$').unwrap_or(inner);
    let inner = inner
        .strip_prefix('(')
        .and_then(|i| i.strip_suffix(')'))
        .unwrap_or(inner);
    let ids: Vec<String> = inner.split('|').map(str::to_owned).collect();
    ids.iter()
        .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some(ids)
}

/// The header of an identity source (`method.request.header.X`, `$request.header.X`).
fn header_of(source: &str, path: &str, notes: &mut Notes) -> Result<String, ImportError> {
    let mut sources = source.split(',').map(str::trim);
    let first = sources.next().unwrap_or_default();
    if sources.next().is_some() {
        notes.warn(path, "only the first identity source is read");
    }
    first
        .strip_prefix("method.request.header.")
        .or_else(|| first.strip_prefix("$request.header."))
        .map(str::to_owned)
        .ok_or_else(|| {
            unsupported(
                path,
                format!("identity source {first:?}: only request headers can carry the token"),
            )
        })
}

struct Found {
    pools: Vec<Pool>,
    header: String,
}

fn rest_cognito(
    path: &str,
    scheme: &Value,
    auth: &Value,
    notes: &mut Notes,
) -> Result<Found, ImportError> {
    let apath = member(path, "x-amazon-apigateway-authorizer");
    let mut client_ids = Vec::new();
    let mut header = text(scheme, "name").unwrap_or("Authorization").to_owned();
    for (key, value) in auth.as_object().into_iter().flatten() {
        let kpath = member(&apath, key);
        match key.as_str() {
            "type" | "providerARNs" => {}
            "identitySource" => {
                header = header_of(value.as_str().unwrap_or_default(), &kpath, notes)?
            }
            "identityValidationExpression" => {
                let expr = value.as_str().unwrap_or_default();
                client_ids = literal_alternatives(expr).ok_or_else(|| {
                    unsupported(
                        &kpath,
                        format!(
                            "{expr:?} is not a list of client ids (a|b); \
                             give them with --client-id instead"
                        ),
                    )
                })?;
                notes.warn(
                    kpath,
                    "applied as an app-client list: ID tokens' aud, access tokens' client_id \
                     (API Gateway matches aud only, so there access tokens never pass)",
                );
            }
            "authorizerResultTtlInSeconds" => notes.warn(
                kpath,
                "ignored: verified tokens are cached until they expire or their key is withdrawn",
            ),
            _ => notes.warn(kpath, "not supported by the gatekeeper; ignored"),
        }
    }
    let arns = auth
        .get("providerARNs")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| unsupported(&apath, "a Cognito authorizer needs providerARNs"))?;
    let pools = arns
        .iter()
        .enumerate()
        .map(|(i, arn)| {
            let arn = arn.as_str().unwrap_or_default();
            let id = pool_of_arn(arn).ok_or_else(|| {
                unsupported(
                    &format!("{apath}.providerARNs[{i}]"),
                    format!("not a user pool ARN: {arn:?}"),
                )
            })?;
            Ok(Pool {
                pool_id: spanned(id.to_owned()),
                any_client: client_ids.is_empty(),
                client_ids: client_ids.clone(),
                issuer: None,
                jwks_uri: None,
            })
        })
        .collect::<Result<_, ImportError>>()?;
    Ok(Found { pools, header })
}

fn http_jwt(
    path: &str,
    scheme: &Value,
    auth: &Value,
    notes: &mut Notes,
) -> Result<Found, ImportError> {
    let apath = member(path, "x-amazon-apigateway-authorizer");
    let mut header = "Authorization".to_owned();
    for (key, value) in auth.as_object().into_iter().flatten() {
        let kpath = member(&apath, key);
        match key.as_str() {
            "type" | "jwtConfiguration" => {}
            "identitySource" => {
                header = header_of(value.as_str().unwrap_or_default(), &kpath, notes)?
            }
            _ => notes.warn(kpath, "not supported by the gatekeeper; ignored"),
        }
    }
    let config = auth.get("jwtConfiguration").cloned().unwrap_or_default();
    let issuer = text(&config, "issuer")
        .map(str::to_owned)
        .or_else(|| {
            text(scheme, "openIdConnectUrl").map(|u| {
                u.trim_end_matches("/.well-known/openid-configuration")
                    .to_owned()
            })
        })
        .ok_or_else(|| unsupported(&apath, "a JWT authorizer needs jwtConfiguration.issuer"))?;
    let audience: Vec<String> = config
        .get("audience")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let pool_id = issuer
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|id| id.contains('_'))
        .ok_or_else(|| {
            unsupported(
                &apath,
                format!("issuer {issuer:?} is not a Cognito user pool (…/REGION_ID)"),
            )
        })?
        .to_owned();
    let canonical = pool_id
        .split_once('_')
        .map(|(region, _)| format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"));
    Ok(Found {
        pools: vec![Pool {
            issuer: (canonical.as_deref() != Some(issuer.trim_end_matches('/'))).then_some(issuer),
            pool_id: spanned(pool_id),
            any_client: false,
            client_ids: audience,
            jwks_uri: None,
        }],
        header,
    })
}

/// Applies `--jwks-uri`/`--issuer`/`--client-id` to the pools.
fn overrides(
    pools: &mut BTreeMap<String, Pool>,
    list: &[Override],
    flag: &str,
    set: impl Fn(&mut Pool, &str),
) -> Result<(), ImportError> {
    for o in list {
        let mut ids: Vec<String> = pools
            .values()
            .map(|p| p.pool_id.get_ref().clone())
            .collect();
        ids.dedup();
        let target = match &o.pool {
            Some(id) if ids.contains(id) => id.clone(),
            Some(id) => {
                return Err(unsupported(
                    flag,
                    format!("no pool {id:?} in the export (pools: {ids:?})"),
                ));
            }
            None if ids.len() == 1 => ids[0].clone(),
            None => {
                return Err(unsupported(
                    flag,
                    format!("the export has several pools {ids:?}: write {flag} POOL_ID=VALUE"),
                ));
            }
        };
        for pool in pools
            .values_mut()
            .filter(|p| *p.pool_id.get_ref() == target)
        {
            set(pool, &o.value);
        }
    }
    Ok(())
}

/// Reads the export's security schemes.
pub(crate) fn import(
    doc: &Value,
    kind: ApiKind,
    options: &Options,
    notes: &mut Notes,
) -> Result<Auth, ImportError> {
    let (base, schemes) = match doc.get("securityDefinitions") {
        Some(s) => ("$.securityDefinitions", s),
        None => (
            "$.components.securitySchemes",
            doc.pointer("/components/securitySchemes")
                .unwrap_or(&Value::Null),
        ),
    };
    let preset = match kind {
        ApiKind::Rest => "api-gateway-rest",
        ApiKind::Http => "api-gateway-http",
    };
    let mut out = Auth::default();
    for (name, scheme) in schemes.as_object().into_iter().flatten() {
        let path = member(base, name);
        notes.extensions(
            &path,
            scheme,
            &[
                "x-amazon-apigateway-authtype",
                "x-amazon-apigateway-authorizer",
            ],
        );
        let authtype = text(scheme, "x-amazon-apigateway-authtype").unwrap_or_default();
        let auth = scheme.get("x-amazon-apigateway-authorizer");
        let auth_type = auth.and_then(|a| text(a, "type")).unwrap_or_default();
        let found = if authtype.eq_ignore_ascii_case("cognito_user_pools")
            || auth_type.eq_ignore_ascii_case("cognito_user_pools")
        {
            rest_cognito(&path, scheme, auth.unwrap_or(&Value::Null), notes)?
        } else if auth_type.eq_ignore_ascii_case("jwt") {
            http_jwt(&path, scheme, auth.unwrap_or(&Value::Null), notes)?
        } else if auth.is_none() && authtype.is_empty() && text(scheme, "type") == Some("apiKey") {
            out.schemes.insert(name.clone(), Scheme::ApiKey);
            continue;
        } else {
            let what = if authtype.eq_ignore_ascii_case("awsSigv4") {
                "IAM (SigV4) authorization".to_owned()
            } else {
                format!("a {auth_type:?} (Lambda) authorizer")
            };
            notes.warn(
                &path,
                format!("{what} is not supported: the routes using it are left out (404)"),
            );
            out.schemes.insert(name.clone(), Scheme::Unsupported(what));
            continue;
        };
        let mut pool_names = Vec::new();
        for pool in found.pools {
            let id = pool.pool_id.get_ref().clone();
            let key = match out.pools.get(&id) {
                Some(existing)
                    if existing.client_ids != pool.client_ids
                        || existing.any_client != pool.any_client
                        || existing.issuer != pool.issuer =>
                {
                    format!("{id}-{name}")
                }
                _ => id,
            };
            out.pools.insert(key.clone(), pool);
            pool_names.push(key);
        }
        out.authorizers.insert(
            name.clone(),
            Authorizer {
                pools: spanned(pool_names),
                preset: spanned(preset.to_owned()),
                header: Some(found.header),
                cookie: None,
            },
        );
        out.schemes.insert(name.clone(), Scheme::Authorizer);
    }
    overrides(&mut out.pools, &options.jwks_uris, "--jwks-uri", |p, v| {
        p.jwks_uri = Some(v.to_owned());
    })?;
    overrides(&mut out.pools, &options.issuers, "--issuer", |p, v| {
        p.issuer = Some(v.to_owned());
    })?;
    overrides(
        &mut out.pools,
        &options.client_ids,
        "--client-id",
        |p, v| {
            if p.any_client {
                p.any_client = false;
                p.client_ids.clear();
            }
            if !p.client_ids.iter().any(|c| c == v) {
                p.client_ids.push(v.to_owned());
            }
        },
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_expressions() {
        assert_eq!(
            pool_of_arn("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Ab1"),
            Some("us-east-1_Ab1")
        );
        assert_eq!(pool_of_arn("arn:aws:lambda:us-east-1:1:function:f"), None);
        assert_eq!(
            literal_alternatives("^(abc|def1)$"),
            Some(vec!["abc".into(), "def1".into()])
        );
        assert_eq!(literal_alternatives("abc"), Some(vec!["abc".into()]));
        assert_eq!(literal_alternatives("^x-[a-z]+"), None);
    }
}
