//! What code-sending and code-checking calls answer for usernames that
//! name nobody, when the app client hides user existence
//! (`PreventUserExistenceErrors`): a plausible delivery destination, stable
//! per username, and the same send throttle and attempt budget a real
//! user has ([`super::codes`]), so the answers tell nothing about
//! existence. The budgets live in memory (bounded by [`MAX_DECOYS`]): no
//! stored row is created for a name nobody owns.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use aws_lc_rs::hmac;
use rand::Rng;

use super::codes::{CodePurpose, Judgement, judge, take_send};
use super::outbox::Destination;
use crate::error::Result;
use crate::ids;
use crate::issuer::Issuer;
use crate::model::Pool;
use crate::store::codes::BudgetRow;
use crate::store::meta as meta_rows;

/// Most unknown names tracked at once (the idle longest are dropped).
pub(crate) const MAX_DECOYS: usize = 20_000;

/// The install secret the decoy destinations are derived from.
const KEY_SETTING: &str = "decoy_destination_key";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    pool_id: String,
    name: String,
    purpose: &'static str,
}

#[derive(Debug, Clone, Copy)]
struct Decoy {
    budget: BudgetRow,
    /// Until when a (pretended) code is in force.
    code_expires_at: i64,
}

impl Decoy {
    fn last_activity(&self) -> i64 {
        self.budget.failures_since.max(self.budget.sends_since)
    }
}

/// Budgets of unknown names, and the key of their decoy destinations.
#[derive(Debug, Default)]
pub(crate) struct CodeDecoys {
    entries: Mutex<HashMap<Key, Decoy>>,
    key: OnceLock<hmac::Key>,
}

impl CodeDecoys {
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Decoy>> {
        // No panics while held: a poisoned map is still consistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn entry(
        map: &mut HashMap<Key, Decoy>,
        key: Key,
        purpose: CodePurpose,
        now: i64,
    ) -> &mut Decoy {
        if !map.contains_key(&key) && map.len() >= MAX_DECOYS {
            make_room(map, now);
        }
        map.entry(key).or_insert(Decoy {
            budget: BudgetRow::default(),
            // A sign-up always sends a code, so a real unconfirmed user
            // has one in force.
            code_expires_at: if purpose == CodePurpose::SignUp {
                now + purpose.ttl()
            } else {
                0
            },
        })
    }

    /// Pretends to send a code for `purpose` to the unknown `name`
    /// (normalised): counts the send, refusing like a real user's spent
    /// send budget.
    pub(crate) fn send(&self, pool: &Pool, name: &str, purpose: CodePurpose) -> Result<()> {
        let now = ids::now();
        let mut map = self.lock();
        let d = Self::entry(&mut map, key(pool, name, purpose), purpose, now);
        take_send(&mut d.budget, now)?;
        d.code_expires_at = now + purpose.ttl();
        Ok(())
    }

    /// An attempt at a code of the unknown `name`: never right, judged and
    /// counted like a real user's attempt.
    pub(crate) fn attempt(&self, pool: &Pool, name: &str, purpose: CodePurpose) -> Result<()> {
        let now = ids::now();
        let mut map = self.lock();
        let d = Self::entry(&mut map, key(pool, name, purpose), purpose, now);
        let live = d.code_expires_at > now;
        let verdict = judge(&mut d.budget, live, || false, now);
        if let Judgement::Mismatch { spent: true } = verdict {
            d.code_expires_at = 0;
        }
        verdict.into_result()
    }

    fn secret(&self, issuer: &Issuer) -> Result<&hmac::Key> {
        if let Some(k) = self.key.get() {
            return Ok(k);
        }
        let stored = issuer.write(|tx| {
            if let Some(v) = meta_rows::get_meta(tx, KEY_SETTING)? {
                return Ok(v);
            }
            let mut bytes = [0u8; 32];
            rand::rng().fill(&mut bytes);
            let v: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            meta_rows::set_meta(tx, KEY_SETTING, &v)?;
            Ok(v)
        })?;
        Ok(self
            .key
            .get_or_init(|| hmac::Key::new(hmac::HMAC_SHA256, stored.as_bytes())))
    }

    /// A plausible destination for codes of `username`, stable across calls
    /// and restarts: for names shaped like an email address or a phone
    /// number, that address (as a user signing in with it would see it);
    /// otherwise the pool's preferred medium (first auto-verified
    /// attribute, else email) with details derived from a keyed hash.
    /// Call it outside write transactions (it may create the key).
    pub(crate) fn destination(
        &self,
        issuer: &Issuer,
        pool: &Pool,
        username: &str,
    ) -> Result<Destination> {
        let name = pool.username_key(username);
        let tag = hmac::sign(
            self.secret(issuer)?,
            format!("{}\0{name}", pool.id).as_bytes(),
        );
        Ok(plausible_destination(pool, username, tag.as_ref(), None))
    }

    /// Like [`Self::destination`], on the given medium (`email` or
    /// `phone_number`): the decoy of a one-time-password sign-in, which
    /// names its medium.
    pub(crate) fn destination_on(
        &self,
        issuer: &Issuer,
        pool: &Pool,
        username: &str,
        attribute: &str,
    ) -> Result<Destination> {
        let name = pool.username_key(username);
        let tag = hmac::sign(
            self.secret(issuer)?,
            format!("{}\0{name}", pool.id).as_bytes(),
        );
        Ok(plausible_destination(
            pool,
            username,
            tag.as_ref(),
            Some(attribute == "phone_number"),
        ))
    }
}

fn key(pool: &Pool, name: &str, purpose: CodePurpose) -> Key {
    Key {
        pool_id: pool.id.clone(),
        name: pool.username_key(name),
        purpose: purpose.key(),
    }
}

/// Drops the decoys whose windows and codes are over, then the idle
/// longest until there is room.
fn make_room(map: &mut HashMap<Key, Decoy>, now: i64) {
    let horizon = super::codes::FAILURE_WINDOW.max(super::codes::SEND_WINDOW);
    map.retain(|_, d| d.code_expires_at > now || d.last_activity() + horizon > now);
    while map.len() >= MAX_DECOYS {
        let oldest = map
            .iter()
            .min_by_key(|(_, d)| d.last_activity())
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => {
                map.remove(&k);
            }
            None => break,
        }
    }
}

/// The destination for `username` from the hash `tag` (at least 16 bytes),
/// by SMS or email as `phone` says (else as the pool prefers).
fn plausible_destination(
    pool: &Pool,
    username: &str,
    tag: &[u8],
    phone_wanted: Option<bool>,
) -> Destination {
    let email = |address: String| Destination {
        attribute: "email".to_string(),
        medium: "EMAIL",
        address,
    };
    let phone = |address: String| Destination {
        attribute: "phone_number".to_string(),
        medium: "SMS",
        address,
    };
    if username.contains('@') && phone_wanted != Some(true) {
        return email(username.to_string());
    }
    let digits = username.strip_prefix('+').unwrap_or_default();
    if digits.len() >= 8
        && digits.bytes().all(|b| b.is_ascii_digit())
        && phone_wanted != Some(false)
    {
        return phone(username.to_string());
    }
    let by_phone = phone_wanted.unwrap_or_else(|| {
        pool.auto_verified_attributes
            .iter()
            .find(|a| *a == "email" || *a == "phone_number")
            .is_some_and(|a| a == "phone_number")
    });
    if by_phone {
        let number: String = tag[..10]
            .iter()
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        return phone(format!("+1{number}"));
    }
    const DOMAINS: &[&str] = &["gmail", "yahoo", "hotmail", "outlook", "icloud", "aol"];
    let first = username
        .chars()
        .next()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .unwrap_or(char::from(b'a' + tag[0] % 26));
    let domain = DOMAINS[usize::from(tag[1]) % DOMAINS.len()];
    email(format!("{first}{}@{domain}.com", tag[2] % 100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::outbox::mask;
    use crate::error::ErrorKind;

    fn pool(auto_verified: &[&str]) -> Pool {
        Pool {
            arn: String::new(),
            id: "us-east-1_Decoy0001".into(),
            name: "decoy".into(),
            creation_date: 0.0,
            last_modified_date: 0.0,
            policies: Default::default(),
            username_attributes: vec![],
            alias_attributes: vec![],
            auto_verified_attributes: auto_verified.iter().map(|s| s.to_string()).collect(),
            schema_attributes: vec![],
            mfa_configuration: Default::default(),
            software_token_mfa_configuration: None,
            sms_mfa_configuration: None,
            email_mfa_configuration: None,
            username_configuration: None,
            device_configuration: None,
            lambda_config: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn destinations_are_plausible_and_follow_the_pool() {
        let tag = [7u8; 32];
        let p = pool(&["email"]);
        let d = plausible_destination(&p, "carol", &tag, None);
        assert_eq!((d.medium, d.attribute.as_str()), ("EMAIL", "email"));
        assert!(mask(&d.address).starts_with("c***@"));
        let d = plausible_destination(&p, "dave@corp.example", &tag, None);
        assert_eq!(mask(&d.address), "d***@c***");
        let d = plausible_destination(&pool(&["phone_number"]), "erin", &tag, None);
        assert_eq!(d.medium, "SMS");
        assert_eq!(mask(&d.address).len(), "+*******1234".len());
        let d = plausible_destination(&p, "+15551234567", &tag, None);
        assert_eq!(mask(&d.address), "+*******4567");
    }

    #[test]
    fn unknown_names_have_a_budget_like_users() {
        let decoys = CodeDecoys::default();
        let p = pool(&["email"]);
        // Forgot password: no code in force until one is "sent".
        let e = decoys
            .attempt(&p, "nobody", CodePurpose::ForgotPassword)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::ExpiredCode);
        for _ in 0..super::super::codes::SENDS_PER_WINDOW {
            decoys
                .send(&p, "nobody", CodePurpose::ForgotPassword)
                .unwrap();
        }
        let e = decoys
            .send(&p, "nobody", CodePurpose::ForgotPassword)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::LimitExceeded);
        for _ in 0..super::super::codes::CODE_ATTEMPTS {
            let e = decoys
                .attempt(&p, "nobody", CodePurpose::ForgotPassword)
                .unwrap_err();
            assert_eq!(e.kind, ErrorKind::CodeMismatch);
        }
        let e = decoys
            .attempt(&p, "nobody", CodePurpose::ForgotPassword)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::LimitExceeded);
    }

    #[test]
    fn memory_is_bounded() {
        let decoys = CodeDecoys::default();
        let p = pool(&[]);
        for i in 0..(MAX_DECOYS + 10) {
            let _ = decoys.send(&p, &format!("n{i}"), CodePurpose::SignUp);
        }
        assert!(decoys.lock().len() <= MAX_DECOYS);
    }
}
