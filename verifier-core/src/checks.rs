//! The synchronous verification core and the claim checks: signature, time,
//! token use, app client, groups, scopes, custom hook.
//!
//! [`signed`] is the pure core (decoded token + key + now -> claims or cause);
//! [`intrinsic`] decides whether a signed token is valid at all and its
//! result may be cached; [`policy`] decides whether it grants what is asked
//! and runs on every call, cache hit or not. Nothing here waits or fetches.

use crate::claims::CognitoClaims;
use crate::error::Cause;
use crate::jwk::VerifyingKey;
use crate::jwt::DecodedJwt;
use crate::policy::{ClientMatch, ExpectedTokenUse, Policy, TokenUse};
use crate::pool::Pool;

/// A user-supplied check run after every other check.
pub type CustomCheck = std::sync::Arc<dyn Fn(&CognitoClaims) -> Result<(), String> + Send + Sync>;

/// The verifier's rules about time, in seconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeRules {
    /// Tolerance for `exp`, `nbf` and `iat`.
    pub(crate) leeway: i64,
    /// Longest lifetime accepted (`exp - iat`, or `exp - now` without `iat`).
    pub(crate) max_lifetime: i64,
}

/// The pure verification core: the signature of `decoded` under `key`, the
/// types of its claims, their times at `now` (seconds since the epoch) and
/// their lifetime.
pub(crate) fn signed(
    decoded: DecodedJwt<'_>,
    key: &VerifyingKey,
    now: i64,
    rules: &TimeRules,
) -> Result<CognitoClaims, Cause> {
    if !key.verify(decoded.signing_input, &decoded.signature) {
        return Err(Cause::BadSignature);
    }
    let claims = CognitoClaims::from_payload(decoded.claims)?;
    intrinsic(&claims, now, rules)?;
    lifetime(&claims, now, rules.max_lifetime)?;
    Ok(claims)
}

/// `exp - iat` (or, without `iat`, `exp - now`) must not exceed `max`.
/// Checked once, before caching: neither measure grows with time.
pub(crate) fn lifetime(claims: &CognitoClaims, now: i64, max: i64) -> Result<(), Cause> {
    let lifetime = claims.exp().saturating_sub(claims.iat().unwrap_or(now));
    if lifetime > max {
        return Err(Cause::LifetimeTooLong { lifetime, max });
    }
    Ok(())
}

/// `exp`, `nbf` and `iat` against `now`, with `leeway` seconds of tolerance.
pub(crate) fn time(claims: &CognitoClaims, now: i64, leeway: i64) -> Result<(), Cause> {
    let exp = claims.exp();
    if now >= exp.saturating_add(leeway) {
        return Err(Cause::Expired { exp, now });
    }
    if let Some(nbf) = claims.nbf().filter(|nbf| now.saturating_add(leeway) < *nbf) {
        return Err(Cause::NotYetValid { nbf, now });
    }
    if let Some(iat) = claims.iat().filter(|iat| *iat > now.saturating_add(leeway)) {
        return Err(Cause::IssuedInFuture { iat, now });
    }
    Ok(())
}

/// Whether the token may be used at all: intrinsic time validity (run on
/// every cache hit too).
pub(crate) fn intrinsic(claims: &CognitoClaims, now: i64, rules: &TimeRules) -> Result<(), Cause> {
    time(claims, now, rules.leeway)
}

/// Token use, app client, groups, scopes and the custom hook.
pub(crate) fn policy(
    claims: &CognitoClaims,
    pool: &Pool,
    policy: &Policy,
    custom: Option<&CustomCheck>,
) -> Result<(), Cause> {
    token_use(claims, policy.token_use.unwrap_or(pool.token_use))?;
    client(
        claims,
        pool,
        policy.client_match.unwrap_or(pool.client_match),
    )?;
    for requirement in [&pool.groups, &policy.groups].into_iter().flatten() {
        if !requirement.is_satisfied_by(claims.groups().iter().map(String::as_str)) {
            return Err(Cause::MissingGroup(requirement.to_string()));
        }
    }
    for requirement in [&pool.scopes, &policy.scopes].into_iter().flatten() {
        if !requirement.is_satisfied_by(claims.scopes().iter().map(String::as_str)) {
            return Err(Cause::MissingScope(requirement.to_string()));
        }
    }
    if let Some(check) = custom {
        check(claims).map_err(Cause::CustomCheck)?;
    }
    Ok(())
}

fn token_use(claims: &CognitoClaims, expected: ExpectedTokenUse) -> Result<(), Cause> {
    let found = claims.token_use();
    let ok = match expected {
        ExpectedTokenUse::Id => found == Some(TokenUse::Id),
        ExpectedTokenUse::Access => found == Some(TokenUse::Access),
        ExpectedTokenUse::Any => found.is_some(),
        ExpectedTokenUse::Unchecked => true,
    };
    if ok {
        Ok(())
    } else {
        Err(Cause::WrongTokenUse {
            expected: expected.describe().to_owned(),
            found: claims.str("token_use").unwrap_or_default().to_owned(),
        })
    }
}

fn client(claims: &CognitoClaims, pool: &Pool, rule: ClientMatch) -> Result<(), Cause> {
    let Some(allowed) = &pool.clients else {
        return Ok(());
    };
    let presented = match (rule, claims.token_use()) {
        (ClientMatch::ByTokenUse, Some(TokenUse::Id)) => claims.audience(),
        (ClientMatch::ByTokenUse, Some(TokenUse::Access)) => claims.client_id_claim(),
        _ => claims.audience().or_else(|| claims.client_id_claim()),
    };
    match presented {
        Some(id) if allowed.iter().any(|a| a == id) => Ok(()),
        other => Err(Cause::WrongClient(other.unwrap_or_default().to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Requirement;
    use crate::pool::PoolConfig;
    use serde_json::json;

    fn claims(v: serde_json::Value) -> CognitoClaims {
        CognitoClaims::from_map(v.as_object().unwrap().clone()).unwrap()
    }

    fn pool(config: PoolConfig) -> Pool {
        Pool::from_config(config).unwrap()
    }

    #[test]
    fn time_bounds_with_leeway() {
        let c = claims(json!({"sub":"s","exp":100,"nbf":50,"iat":40}));
        assert_eq!(time(&c, 99, 0), Ok(()));
        assert_eq!(time(&c, 100, 0), Err(Cause::Expired { exp: 100, now: 100 }));
        assert_eq!(time(&c, 104, 5), Ok(()));
        assert_eq!(
            time(&c, 49, 0),
            Err(Cause::NotYetValid { nbf: 50, now: 49 })
        );
        assert_eq!(time(&c, 49, 1), Ok(()));
        let c = claims(json!({"sub":"s","exp":100,"iat":60}));
        assert_eq!(
            time(&c, 55, 0),
            Err(Cause::IssuedInFuture { iat: 60, now: 55 })
        );
        assert_eq!(time(&c, 55, 5), Ok(()));
    }

    #[test]
    fn lifetime_from_iat_or_now() {
        let c = claims(json!({"sub":"s","exp":1000,"iat":100}));
        assert_eq!(lifetime(&c, 500, 900), Ok(()));
        assert_eq!(
            lifetime(&c, 500, 899),
            Err(Cause::LifetimeTooLong {
                lifetime: 900,
                max: 899
            })
        );
        let c = claims(json!({"sub":"s","exp":1000}));
        assert_eq!(lifetime(&c, 500, 500), Ok(()));
        assert_eq!(
            lifetime(&c, 400, 500),
            Err(Cause::LifetimeTooLong {
                lifetime: 600,
                max: 500
            })
        );
        let c = claims(json!({"sub":"s","exp":i64::MAX,"iat":i64::MIN}));
        assert!(lifetime(&c, 0, 86_400).is_err());
    }

    #[test]
    fn client_follows_token_use() {
        let p = pool(PoolConfig::new("us-east-1_a").client_id("good"));
        let id = claims(json!({"sub":"s","exp":1,"token_use":"id","aud":"good","client_id":"bad"}));
        let access =
            claims(json!({"sub":"s","exp":1,"token_use":"access","client_id":"good","aud":"bad"}));
        assert_eq!(policy(&id, &p, &Policy::NONE, None), Ok(()));
        assert_eq!(policy(&access, &p, &Policy::NONE, None), Ok(()));
        // HTTP API rule: aud first.
        let http = Policy {
            client_match: Some(ClientMatch::AudOrClientId),
            ..Policy::NONE
        };
        assert_eq!(
            policy(&access, &p, &http, None),
            Err(Cause::WrongClient("bad".into()))
        );
    }

    #[test]
    fn requirements_any_and_all() {
        let p = pool(
            PoolConfig::new("us-east-1_a")
                .skip_client_check()
                .require_groups(Requirement::any_of(["admin", "ops"])),
        );
        let c = claims(
            json!({"sub":"s","exp":1,"token_use":"access","cognito:groups":["ops"],"scope":"a b"}),
        );
        assert_eq!(policy(&c, &p, &Policy::NONE, None), Ok(()));
        let all = Policy {
            scopes: Some(Requirement::all_of(["a", "c"])),
            ..Policy::NONE
        };
        assert!(matches!(
            policy(&c, &p, &all, None),
            Err(Cause::MissingScope(_))
        ));
        let groups = Policy {
            groups: Some(Requirement::all_of(["ops", "admin"])),
            ..Policy::NONE
        };
        assert!(matches!(
            policy(&c, &p, &groups, None),
            Err(Cause::MissingGroup(_))
        ));
        let check: CustomCheck = std::sync::Arc::new(|c| {
            if c.sub() == "s" {
                Err("no s".into())
            } else {
                Ok(())
            }
        });
        assert_eq!(
            policy(&c, &p, &Policy::NONE, Some(&check)),
            Err(Cause::CustomCheck("no s".into()))
        );
    }

    #[test]
    fn token_use_rules() {
        let p = pool(
            PoolConfig::new("us-east-1_a")
                .skip_client_check()
                .token_use(ExpectedTokenUse::Id),
        );
        let access = claims(json!({"sub":"s","exp":1,"token_use":"access"}));
        assert!(matches!(
            policy(&access, &p, &Policy::NONE, None),
            Err(Cause::WrongTokenUse { .. })
        ));
        let none = claims(json!({"sub":"s","exp":1}));
        let unchecked = Policy {
            token_use: Some(ExpectedTokenUse::Unchecked),
            ..Policy::NONE
        };
        assert_eq!(policy(&none, &p, &unchecked, None), Ok(()));
        let any = Policy {
            token_use: Some(ExpectedTokenUse::Any),
            ..Policy::NONE
        };
        assert!(matches!(
            policy(&none, &p, &any, None),
            Err(Cause::WrongTokenUse { .. })
        ));
    }
}
