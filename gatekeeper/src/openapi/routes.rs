//! Paths and operations of an export -> `[[routes]]` (with scopes and the
//! authorizer from `security`), `[mappings.*]` (from the integration's
//! `requestParameters`) and `[cors]` (from `x-amazon-apigateway-cors`).

use std::collections::BTreeMap;

use cognito_verifier::gate::Mapping;
use serde_json::Value;

use super::authorizers::{Auth, Scheme};
use super::{ApiKind, Notes, member, spanned};
use crate::config::Route;
use crate::cors::CorsSection;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const ANY: &str = "x-amazon-apigateway-any-method";
const INTEGRATION: &str = "x-amazon-apigateway-integration";

/// Integration members that only describe the backend `--upstream` replaces.
const BACKEND: [&str; 8] = [
    "type",
    "uri",
    "httpMethod",
    "connectionType",
    "connectionId",
    "payloadFormatVersion",
    "passthroughBehavior",
    "cacheNamespace",
];

/// The authorizer and scopes of one operation; `None`: leave the route out.
fn security(
    op_path: &str,
    requirements: Option<&Value>,
    auth: &Auth,
    notes: &mut Notes,
) -> Option<(String, Vec<String>)> {
    let alternatives = requirements
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let Some(first) = alternatives.first() else {
        return Some(("none".to_owned(), Vec::new()));
    };
    let spath = format!("{op_path}.security");
    if alternatives.len() > 1 {
        notes.warn(
            &spath,
            "several alternative requirements: only the first is applied",
        );
    }
    let mut chosen: Option<(String, Vec<String>)> = None;
    for (name, scopes) in first.as_object().into_iter().flatten() {
        let scopes: Vec<String> = scopes
            .as_array()
            .map(|s| {
                s.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        match auth.schemes.get(name) {
            Some(Scheme::Authorizer) if chosen.is_none() => chosen = Some((name.clone(), scopes)),
            Some(Scheme::Authorizer) => {
                notes.warn(
                    member(&spath, name),
                    "a second authorizer on one operation is ignored",
                );
            }
            Some(Scheme::ApiKey) => notes.warn(
                member(&spath, name),
                "API keys (usage plans) are not enforced by the gatekeeper",
            ),
            Some(Scheme::Unsupported(what)) => {
                notes.warn(&spath, format!("uses {what}: route left out (404)"));
                return None;
            }
            None => {
                notes.warn(
                    member(&spath, name),
                    "unknown security scheme: route left out (404)",
                );
                return None;
            }
        }
    }
    Some(chosen.unwrap_or_else(|| ("none".to_owned(), Vec::new())))
}

/// The mapping pairs of an integration's `requestParameters`.
fn mapping(
    kind: ApiKind,
    ipath: &str,
    params: &Value,
    notes: &mut Notes,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let ppath = format!("{ipath}.requestParameters");
    for (key, value) in params.as_object().into_iter().flatten() {
        let value = value.as_str().unwrap_or_default();
        let kpath = member(&ppath, key);
        // REST's proxy resources pass the path on: the proxy does that anyway.
        if let Some(param) = key.strip_prefix("integration.request.path.")
            && value == format!("method.request.path.{param}")
        {
            continue;
        }
        let header = match kind {
            ApiKind::Rest => key.starts_with("integration.request.header."),
            ApiKind::Http => ["overwrite:header.", "append:header.", "remove:header."]
                .iter()
                .any(|p| key.starts_with(p)),
        };
        if !header {
            notes.warn(kpath, "only header mappings are supported; ignored");
            continue;
        }
        match Mapping::parse([(key.as_str(), value)]) {
            Ok(_) => {
                out.insert(key.clone(), value.to_owned());
            }
            Err(e) => notes.warn(kpath, format!("{e}; ignored")),
        }
    }
    out
}

/// Warns about integration members that change behaviour and are not carried over.
fn integration_notes(ipath: &str, integration: &Value, notes: &mut Notes) {
    for (key, value) in integration.as_object().into_iter().flatten() {
        let kpath = member(ipath, key);
        match key.as_str() {
            k if BACKEND.contains(&k) || k == "requestParameters" => {}
            "cacheKeyParameters" if value.as_array().is_none_or(Vec::is_empty) => {}
            "responses" => {
                let plain = value.as_object().into_iter().flatten().all(|(_, r)| {
                    r.get("responseParameters").is_none() && r.get("responseTemplates").is_none()
                });
                if !plain {
                    notes.warn(
                        kpath,
                        "integration response mappings are not supported; ignored",
                    );
                }
            }
            "timeoutInMillis" => notes.warn(
                kpath,
                "per-route timeouts are not supported; limits.integration_timeout_ms applies",
            ),
            _ => notes.warn(kpath, "not supported by the gatekeeper; ignored"),
        }
    }
}

/// `GET /a/{b}` -> `get-a-b`.
fn mapping_name(route: &str) -> String {
    let mut name = String::new();
    for c in route.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    name.trim_end_matches('-').to_owned()
}

/// `[mappings.*]`: name -> (key -> value).
pub(crate) type Mappings = BTreeMap<String, BTreeMap<String, String>>;

/// The routes and mappings of the export's `paths`.
pub(crate) fn import(
    doc: &Value,
    kind: ApiKind,
    auth: &Auth,
    notes: &mut Notes,
) -> (Vec<Route>, Mappings) {
    let global = doc.get("security");
    let mut routes = Vec::new();
    let mut mappings = BTreeMap::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let ppath = member("$.paths", path);
        notes.extensions(&ppath, item, &[ANY]);
        for (key, op) in item.as_object().into_iter().flatten() {
            let method = if key == ANY {
                "ANY".to_owned()
            } else if METHODS.contains(&key.as_str()) {
                key.to_ascii_uppercase()
            } else {
                continue;
            };
            let op_path = member(&ppath, key);
            notes.extensions(&op_path, op, &[INTEGRATION]);
            let route_key = if path == "$default" {
                "$default".to_owned()
            } else {
                format!("{method} {path}")
            };
            let integration = op.get(INTEGRATION).cloned().unwrap_or_default();
            let ipath = member(&op_path, INTEGRATION);
            let itype = integration
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if itype.eq_ignore_ascii_case("mock") {
                let hint = if method == "OPTIONS" {
                    " (a REST API's CORS preflight: configure [cors] instead)"
                } else {
                    ""
                };
                notes.warn(
                    &ipath,
                    format!("mock integrations are not supported: route left out{hint}"),
                );
                continue;
            }
            integration_notes(&ipath, &integration, notes);
            let Some((authorizer, scopes)) =
                security(&op_path, op.get("security").or(global), auth, notes)
            else {
                continue;
            };
            let pairs = integration
                .get("requestParameters")
                .map(|p| mapping(kind, &ipath, p, notes))
                .unwrap_or_default();
            let mapping = (!pairs.is_empty()).then(|| {
                let name = mapping_name(&route_key);
                mappings.insert(name.clone(), pairs);
                spanned(name)
            });
            routes.push(Route {
                route: spanned(route_key),
                authorizer: spanned(authorizer),
                upstream: Some(spanned("upstream".to_owned())),
                scopes,
                groups_any: Vec::new(),
                groups_all: Vec::new(),
                owner: None,
                guests: false,
                mapping,
            });
        }
    }
    (routes, mappings)
}

/// `x-amazon-apigateway-cors` -> `[cors]`.
pub(crate) fn cors(value: &Value, notes: &mut Notes) -> CorsSection {
    let path = "$.x-amazon-apigateway-cors";
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = CorsSection::default();
    for (key, v) in value.as_object().into_iter().flatten() {
        match key.as_str() {
            "allowOrigins" => out.allow_origins = list(v),
            "allowMethods" => out.allow_methods = list(v),
            "allowHeaders" => out.allow_headers = list(v),
            "exposeHeaders" => out.expose_headers = list(v),
            "maxAge" => out.max_age = v.as_u64().and_then(|n| u32::try_from(n).ok()),
            "allowCredentials" => out.allow_credentials = v.as_bool().unwrap_or(false),
            _ => notes.warn(member(path, key), "unknown CORS property; ignored"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_names() {
        assert_eq!(
            mapping_name("GET /users/{sub}/files"),
            "get-users-sub-files"
        );
        assert_eq!(mapping_name("$default"), "default");
    }
}
