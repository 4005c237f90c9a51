//! A pre token generation response read and applied as Cognito documents
//! it (developer guide, "Pre token generation Lambda trigger", claims and
//! scopes reference): what the handler may add, override or suppress in
//! the ID and access tokens, the group override, and the scopes.
//!
//! A response of the wrong shape (a claim list that is not an array of
//! strings, a V1 claim value that is an array or object, ...) is
//! [`Unrecognizable`]. A change the guide lists as not allowed (a
//! non-modifiable claim, a complex value of `email_verified`, an access
//! token `aud` other than the client id, a scope with a blank) is
//! *ignored* and named in [`Overrides::ignored`]: the guide documents no
//! error for these, and a third-party emulator that checked against AWS
//! (KensioSoftware/yulin, PR #461) records that Cognito quietly drops
//! them.

use serde_json::{Map, Value};

use super::{EventVersion, GroupConfiguration};

/// The handler's `response` could not be read (AWS:
/// `InvalidLambdaResponseException` "Unrecognizable lambda output").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unrecognizable lambda output ({0})")]
pub(crate) struct Unrecognizable(pub &'static str);

/// Claims that no response may add, override or suppress, in either token.
const RESERVED: &[&str] = &[
    "acr",
    "amr",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "client_id",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "scope",
    "sub",
    "token_use",
    "username",
    "version",
];

/// The group claims: changed only through `groupOverrideDetails`,
/// suppressed through `claimsToSuppress`.
const GROUP_CLAIMS: &[&str] = &["cognito:groups", "cognito:roles", "cognito:preferred_role"];

/// ID token claims whose value must stay a string or boolean.
const SIMPLE_ONLY: &[&str] = &[
    "address",
    "email_verified",
    "phone_number_verified",
    "updated_at",
];

/// Claim changes for one token.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ClaimEdits {
    /// Claims to add or override (only allowed ones are kept).
    pub add: Map<String, Value>,
    /// Claims to remove (only allowed ones are kept; suppression wins
    /// over an override of the same claim).
    pub suppress: Vec<String>,
}

/// What the response does to the user's groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum GroupOverride {
    /// No `groupOverrideDetails`: the groups stay.
    #[default]
    Keep,
    /// `groupOverrideDetails` replaces the group claims; an empty or null
    /// object suppresses them.
    Replace(GroupConfiguration),
}

/// A response, validated: the changes to apply to the tokens being minted.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Overrides {
    /// ID token claim changes.
    pub id: ClaimEdits,
    /// Access token claim changes (V2/V3 only).
    pub access: ClaimEdits,
    /// `scopesToAdd` (V2/V3 only; scopes with blanks dropped).
    pub scopes_to_add: Vec<String>,
    /// `scopesToSuppress` (V2/V3 only).
    pub scopes_to_suppress: Vec<String>,
    /// The group override (all versions; both tokens).
    pub groups: GroupOverride,
    /// The changes dropped as Cognito drops them, for the issuer's log.
    pub ignored: Vec<String>,
}

/// Which token a claim change is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Id,
    Access,
}

impl Token {
    fn name(self) -> &'static str {
        match self {
            Self::Id => "ID",
            Self::Access => "access",
        }
    }
}

/// Whether `name` is a claim no response may touch (`dev:` attributes may
/// only be suppressed; `aud` is handled by the caller).
fn reserved(name: &str) -> bool {
    RESERVED.contains(&name) || (name.starts_with("cognito:") && !GROUP_CLAIMS.contains(&name))
}

/// `null` or absent is "nothing"; otherwise the value must be an object.
fn object<'a>(
    parent: &'a Map<String, Value>,
    key: &str,
    what: &'static str,
) -> Result<Option<&'a Map<String, Value>>, Unrecognizable> {
    match parent.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(Unrecognizable(what)),
    }
}

/// `null` or absent is empty; otherwise an array of strings.
fn strings(
    parent: &Map<String, Value>,
    key: &str,
    what: &'static str,
) -> Result<Vec<String>, Unrecognizable> {
    match parent.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or(Unrecognizable(what)))
            .collect(),
        Some(_) => Err(Unrecognizable(what)),
    }
}

/// Why Cognito would not add `name: value` to `token`, if it would not.
fn refusal(token: Token, name: &str, value: &Value, client_id: &str) -> Option<&'static str> {
    if name == "aud" && token == Token::Access && value.as_str() == Some(client_id) {
        return None;
    }
    if reserved(name) || name.starts_with("dev:") {
        return Some("not modifiable");
    }
    if GROUP_CLAIMS.contains(&name) {
        return Some("use groupOverrideDetails");
    }
    if token == Token::Id
        && SIMPLE_ONLY.contains(&name)
        && matches!(value, Value::Array(_) | Value::Object(_))
    {
        return Some("complex value not allowed");
    }
    None
}

/// Reads `groupOverrideDetails` (present: it replaces the group claims).
fn group_override(parent: &Map<String, Value>) -> Result<GroupOverride, Unrecognizable> {
    const WHAT: &str = "groupOverrideDetails";
    let m = match parent.get("groupOverrideDetails") {
        None => return Ok(GroupOverride::Keep),
        Some(Value::Null) => return Ok(GroupOverride::Replace(GroupConfiguration::default())),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Unrecognizable(WHAT)),
    };
    let preferred_role = match m.get("preferredRole") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(Unrecognizable(WHAT)),
    };
    Ok(GroupOverride::Replace(GroupConfiguration {
        groups: strings(m, "groupsToOverride", WHAT)?,
        iam_roles: strings(m, "iamRolesToOverride", WHAT)?,
        preferred_role,
    }))
}

impl Overrides {
    /// Reads the `response` object a handler returned for an event of
    /// `version`, keeping only the changes Cognito allows. `client_id` is
    /// the only `aud` an access token may be given.
    pub(crate) fn from_response(
        version: EventVersion,
        response: &Value,
        client_id: &str,
    ) -> Result<Self, Unrecognizable> {
        let response = response.as_object().ok_or(Unrecognizable("response"))?;
        let mut out = Self::default();
        if version == EventVersion::V1 {
            let Some(d) = object(response, "claimsOverrideDetails", "claimsOverrideDetails")?
            else {
                return Ok(out);
            };
            out.id = out.edits(d, Token::Id, version, client_id)?;
            out.groups = group_override(d)?;
            return Ok(out);
        }
        let details = match response.get("claimsAndScopeOverrideDetails") {
            // What the trigger sent (null), or the empty list AWS's sample
            // test events show, returned unchanged.
            None | Some(Value::Null) => return Ok(out),
            Some(Value::Array(a)) if a.is_empty() => return Ok(out),
            Some(Value::Object(m)) => m,
            Some(_) => return Err(Unrecognizable("claimsAndScopeOverrideDetails")),
        };
        if let Some(id) = object(details, "idTokenGeneration", "idTokenGeneration")? {
            out.id = out.edits(id, Token::Id, version, client_id)?;
        }
        if let Some(access) = object(details, "accessTokenGeneration", "accessTokenGeneration")? {
            out.access = out.edits(access, Token::Access, version, client_id)?;
            for scope in strings(access, "scopesToAdd", "scopesToAdd")? {
                if scope.is_empty() || scope.chars().any(char::is_whitespace) {
                    out.ignored.push(format!("scopesToAdd \"{scope}\" (blank)"));
                } else {
                    out.scopes_to_add.push(scope);
                }
            }
            out.scopes_to_suppress = strings(access, "scopesToSuppress", "scopesToSuppress")?;
        }
        out.groups = group_override(details)?;
        Ok(out)
    }

    /// Reads one token's `claimsToAddOrOverride` and `claimsToSuppress`.
    fn edits(
        &mut self,
        m: &Map<String, Value>,
        token: Token,
        version: EventVersion,
        client_id: &str,
    ) -> Result<ClaimEdits, Unrecognizable> {
        let mut edits = ClaimEdits::default();
        if let Some(add) = object(m, "claimsToAddOrOverride", "claimsToAddOrOverride")? {
            for (name, value) in add {
                let value = match (version, value) {
                    (_, Value::Null) => continue,
                    // V1 values are strings; scalars read as their text.
                    (EventVersion::V1, Value::String(_)) => value.clone(),
                    (EventVersion::V1, Value::Number(n)) => Value::String(n.to_string()),
                    (EventVersion::V1, Value::Bool(b)) => Value::String(b.to_string()),
                    (EventVersion::V1, _) => {
                        return Err(Unrecognizable("claimsToAddOrOverride (V1 value)"));
                    }
                    _ => value.clone(),
                };
                if let Some(why) = refusal(token, name, &value, client_id) {
                    self.ignored
                        .push(format!("{} token claim {name} ({why})", token.name()));
                } else {
                    edits.add.insert(name.clone(), value);
                }
            }
        }
        for name in strings(m, "claimsToSuppress", "claimsToSuppress")? {
            if reserved(&name) {
                self.ignored.push(format!(
                    "{} token claimsToSuppress {name} (not modifiable)",
                    token.name()
                ));
            } else {
                edits.suppress.push(name);
            }
        }
        Ok(edits)
    }

    /// Applies the changes to an ID token's claims.
    pub(crate) fn apply_to_id(&self, claims: &mut Map<String, Value>) {
        self.apply_groups(claims, true);
        apply_edits(claims, &self.id);
    }

    /// Applies the changes to an access token's claims: the group
    /// override (every version), then claims and scopes (V2/V3 responses
    /// only carry those).
    pub(crate) fn apply_to_access(&self, claims: &mut Map<String, Value>) {
        self.apply_groups(claims, false);
        apply_edits(claims, &self.access);
        if self.scopes_to_add.is_empty() && self.scopes_to_suppress.is_empty() {
            return;
        }
        let mut scopes: Vec<String> = claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .split_whitespace()
            .filter(|s| !self.scopes_to_suppress.iter().any(|x| x == s))
            .map(str::to_string)
            .collect();
        for s in &self.scopes_to_add {
            if !scopes.contains(s) && !self.scopes_to_suppress.contains(s) {
                scopes.push(s.clone());
            }
        }
        if scopes.is_empty() {
            claims.remove("scope");
        } else {
            claims.insert("scope".into(), scopes.join(" ").into());
        }
    }

    /// Replaces the group claims when the response overrides the groups
    /// (roles and preferred role only in the ID token).
    fn apply_groups(&self, claims: &mut Map<String, Value>, id_token: bool) {
        if let GroupOverride::Replace(cfg) = &self.groups {
            for c in GROUP_CLAIMS {
                claims.remove(*c);
            }
            cfg.insert_claims(claims, id_token);
        }
    }
}

/// Adds, then suppresses (suppression wins). Suppressing `cognito:groups`
/// also removes `cognito:roles` and `cognito:preferred_role`, as the guide
/// documents.
fn apply_edits(claims: &mut Map<String, Value>, edits: &ClaimEdits) {
    for (name, value) in &edits.add {
        claims.insert(name.clone(), value.clone());
    }
    for name in &edits.suppress {
        if name == "cognito:groups" {
            for c in GROUP_CLAIMS {
                claims.remove(*c);
            }
        } else {
            claims.remove(name);
        }
    }
}
