//! User pool domains (CreateUserPoolDomain, DescribeUserPoolDomain,
//! DeleteUserPoolDomain): a prefix or custom domain per pool, recorded and
//! described. The hosted UI is served under the issuer's own URL, so a
//! domain routes nothing here.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::ids;
use crate::issuer::Issuer;
use crate::model::PoolDomain;
use crate::store::domains as domain_rows;

/// Words AWS refuses inside a prefix domain.
const RESERVED: [&str; 3] = ["aws", "amazon", "cognito"];

/// What CreateUserPoolDomain asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct DomainSpec {
    /// The prefix, or the full name of a custom domain.
    pub domain: String,
    /// The pool.
    pub user_pool_id: String,
    /// `CustomDomainConfig` (makes the domain a custom one).
    pub custom_domain_config: Option<Map<String, Value>>,
    /// `ManagedLoginVersion` (default 1).
    pub managed_login_version: Option<i64>,
}

/// Whether `label` matches `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`.
fn is_label(label: &str) -> bool {
    let b = label.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && inner(&b[0])
        && inner(&b[b.len() - 1])
        && b.iter().all(|c| inner(c) || *c == b'-')
}

fn invalid_character() -> Error {
    Error::invalid_parameter(
        "The domain name contains an invalid character. Domain names can only contain \
         lower-case letters, numbers, and hyphens. Please enter a different name that follows \
         this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
    )
}

/// Validates a domain as Cognito does: a prefix is one DNS label without a
/// reserved word; a custom domain is a name of at least two such labels
/// with a `CustomDomainConfig.CertificateArn`.
fn check(spec: &DomainSpec) -> Result<()> {
    match &spec.custom_domain_config {
        None => {
            if !is_label(&spec.domain) {
                return Err(invalid_character());
            }
            if let Some(word) = RESERVED.iter().find(|w| spec.domain.contains(*w)) {
                return Err(Error::invalid_parameter(format!(
                    "Domain cannot contain reserved word: {word}"
                )));
            }
        }
        Some(config) => {
            let labels: Vec<&str> = spec.domain.split('.').collect();
            if labels.len() < 2 || spec.domain.len() > 253 || !labels.iter().all(|l| is_label(l)) {
                return Err(invalid_character());
            }
            if !matches!(config.get("CertificateArn"), Some(Value::String(a)) if !a.is_empty()) {
                return Err(Error::invalid_parameter(
                    "1 validation error detected: Value null at \
                     'customDomainConfig.certificateArn' failed to satisfy constraint: Member \
                     must not be null",
                ));
            }
        }
    }
    if let Some(v) = spec.managed_login_version
        && !(1..=2).contains(&v)
    {
        return Err(Error::invalid_parameter(format!(
            "Invalid ManagedLoginVersion {v}: must be 1 (hosted UI) or 2 (managed login)"
        )));
    }
    Ok(())
}

/// Records a domain for a pool (CreateUserPoolDomain): one per pool, and
/// a domain belongs to one pool.
pub(crate) fn create(issuer: &Issuer, spec: DomainSpec) -> Result<PoolDomain> {
    check(&spec)?;
    issuer.pool(&spec.user_pool_id)?;
    let hash = ids::sha256_hex(&spec.domain);
    let domain = PoolDomain {
        cloud_front_distribution: format!("d{}.cloudfront.net", &hash[..13]),
        domain: spec.domain,
        user_pool_id: spec.user_pool_id,
        custom_domain_config: spec.custom_domain_config,
        managed_login_version: spec.managed_login_version.unwrap_or(1),
    };
    issuer.write(|tx| {
        if domain_rows::get_domain(tx, &domain.domain)?.is_some() {
            return Err(Error::invalid_parameter(
                "Domain already associated with another user pool.",
            ));
        }
        if domain_rows::domain_of_pool(tx, &domain.user_pool_id)?.is_some() {
            return Err(Error::invalid_parameter(
                "User pool already has a domain configured.",
            ));
        }
        Ok(domain_rows::insert_domain(tx, &domain)?)
    })?;
    Ok(domain)
}

/// The domain named `domain`, if any (DescribeUserPoolDomain).
pub(crate) fn describe(issuer: &Issuer, domain: &str) -> Result<Option<PoolDomain>> {
    issuer.read(|c| Ok(domain_rows::get_domain(c, domain)?))
}

/// Removes a pool's domain (DeleteUserPoolDomain).
pub(crate) fn delete(issuer: &Issuer, domain: &str, pool_id: &str) -> Result<()> {
    issuer.pool(pool_id)?;
    let gone = issuer.write(|tx| Ok(domain_rows::delete_domain(tx, domain, pool_id)?))?;
    if !gone {
        return Err(Error::invalid_parameter(
            "No such domain or user pool exists.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_documented_pattern() {
        for ok in ["a", "my-app", "a1", &"x".repeat(63)] {
            assert!(is_label(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "My-app", "a_b", "a.b", &"x".repeat(64)] {
            assert!(!is_label(bad), "{bad}");
        }
    }
}
