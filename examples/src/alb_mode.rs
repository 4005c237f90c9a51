//! `COGNITO_MODE=alb`: the example apps do what an ALB `authenticate-oidc`
//! action does (login redirect, callback, encrypted session cookie,
//! `x-amzn-oidc-*` headers), configured from the environment.
//!
//! | variable | meaning |
//! |---|---|
//! | `COGNITO_OIDC_ISSUER` | the IdP's issuer (discovery base URL), required |
//! | `COGNITO_CLIENT_ID`, `COGNITO_CLIENT_SECRET` | the confidential app client, required |
//! | `COGNITO_ALB_SESSION_KEY` | base64 of 32 bytes; several comma-separated, the first encrypts (rotation), required |
//! | `COGNITO_ALB_ON_UNAUTHENTICATED` | `authenticate` (default), `deny` or `allow` |
//! | `COGNITO_ALB_SIGNER` | the ALB-ARN-shaped `signer` of `x-amzn-oidc-data` (default [`DEFAULT_SIGNER`]) |
//! | `COGNITO_ALB_PUBLIC_URL` | the app's external origin (default `https://` + `Host`); needed on plain http |
//! | `COGNITO_ALB_LOGOUT_URI` | where the IdP sends the browser after `/logout` (default `<public url>/public`) |

use cognito_verifier::FetchLimits;
use cognito_verifier::gate::alb::{AlbAuth, AlbAuthBuilder, IdentityProvider, OnUnauthenticated};
use cognito_verifier::gate::alb::{AlbSigner, SessionKeys};

/// The signer written in `x-amzn-oidc-data` when `COGNITO_ALB_SIGNER` is unset.
pub const DEFAULT_SIGNER: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/example-alb/0123456789abcdef";
/// Where the apps serve the public key of `x-amzn-oidc-data` (`<base>/{kid}`, PEM).
pub const KEYS_PATH: &str = "/alb-keys";
/// The path that ends a session (then the IdP's `/logout`).
pub const LOGOUT_PATH: &str = "/logout";

/// Authenticate-mode settings of the example apps.
#[derive(Clone)]
pub struct AlbSettings {
    /// `COGNITO_OIDC_ISSUER`, without a trailing `/`.
    pub oidc_issuer: String,
    /// `COGNITO_CLIENT_ID`.
    pub client_id: String,
    /// `COGNITO_CLIENT_SECRET`.
    pub client_secret: String,
    /// `COGNITO_ALB_SESSION_KEY` as given (checked).
    pub session_keys: String,
    /// `COGNITO_ALB_ON_UNAUTHENTICATED`.
    pub on_unauthenticated: OnUnauthenticated,
    /// `COGNITO_ALB_SIGNER`.
    pub signer: String,
    /// `COGNITO_ALB_PUBLIC_URL`, without a trailing `/`.
    pub public_url: Option<String>,
    /// `COGNITO_ALB_LOGOUT_URI`.
    pub logout_uri: Option<String>,
}

impl std::fmt::Debug for AlbSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlbSettings")
            .field("oidc_issuer", &self.oidc_issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"(redacted)")
            .field("session_keys", &"(redacted)")
            .field("on_unauthenticated", &self.on_unauthenticated)
            .field("signer", &self.signer)
            .field("public_url", &self.public_url)
            .field("logout_uri", &self.logout_uri)
            .finish()
    }
}

impl AlbSettings {
    /// Reads and checks the settings through `var` (the environment, or a
    /// table in tests); each error names the variable at fault.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let required =
            |name: &str, what: &str| var(name).ok_or(format!("{name} is required ({what})"));
        let oidc_issuer = required("COGNITO_OIDC_ISSUER", "the IdP's issuer URL")?
            .trim_end_matches('/')
            .to_owned();
        match url::Url::parse(&oidc_issuer) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {}
            _ => {
                return Err(format!(
                    "COGNITO_OIDC_ISSUER {oidc_issuer:?} is not an absolute http(s) URL"
                ));
            }
        }
        let client_id = required("COGNITO_CLIENT_ID", "the app client id")?;
        if client_id.contains(',') {
            return Err("COGNITO_CLIENT_ID: ALB mode takes exactly one app client id".into());
        }
        let client_secret = required("COGNITO_CLIENT_SECRET", "the app client's secret")?;
        let session_keys = required(
            "COGNITO_ALB_SESSION_KEY",
            "base64 of 32 random bytes, e.g. `openssl rand -base64 32`",
        )?;
        SessionKeys::from_base64(&session_keys)
            .map_err(|e| format!("COGNITO_ALB_SESSION_KEY: {e}"))?;
        let on_unauthenticated = match var("COGNITO_ALB_ON_UNAUTHENTICATED").as_deref() {
            None | Some("authenticate") => OnUnauthenticated::Authenticate,
            Some("deny") => OnUnauthenticated::Deny,
            Some("allow") => OnUnauthenticated::Allow,
            Some(other) => {
                return Err(format!(
                    "COGNITO_ALB_ON_UNAUTHENTICATED {other:?}: use authenticate, deny or allow"
                ));
            }
        };
        let settings = AlbSettings {
            oidc_issuer,
            client_id,
            client_secret,
            session_keys,
            on_unauthenticated,
            signer: var("COGNITO_ALB_SIGNER").unwrap_or_else(|| DEFAULT_SIGNER.to_owned()),
            public_url: var("COGNITO_ALB_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned()),
            logout_uri: var("COGNITO_ALB_LOGOUT_URI"),
        };
        settings.check_with_library()?;
        Ok(settings)
    }

    /// The Cognito pool id of the issuer: its last path segment
    /// (`https://cognito-idp.<region>.amazonaws.com/<pool id>`, and the
    /// reference issuer's `http://127.0.0.1:9229/<pool id>`).
    pub fn pool_id(&self) -> Option<String> {
        let url = url::Url::parse(&self.oidc_issuer).ok()?;
        let last = url.path_segments()?.rfind(|s| !s.is_empty())?;
        cognito_verifier::UserPoolId::parse(last)
            .ok()
            .map(|_| last.to_owned())
    }

    /// Where the IdP sends the browser after logout.
    fn logout_target(&self) -> Option<String> {
        self.logout_uri
            .clone()
            .or_else(|| self.public_url.as_ref().map(|u| format!("{u}/public")))
    }

    /// The builder of the authenticate mode for `idp`, every setting applied.
    pub fn builder(&self, idp: IdentityProvider) -> Result<AlbAuthBuilder, String> {
        let keys = SessionKeys::from_base64(&self.session_keys)
            .map_err(|e| format!("COGNITO_ALB_SESSION_KEY: {e}"))?;
        let mut builder = AlbAuth::builder(idp, &self.client_id, &self.client_secret)
            .session_keys(keys)
            .on_unauthenticated(self.on_unauthenticated)
            .signer(&self.signer)
            .logout_path(LOGOUT_PATH, self.logout_target().as_deref());
        if let Some(url) = &self.public_url {
            builder = builder.public_origin(url);
        }
        Ok(builder)
    }

    /// Discovers the IdP and builds the authenticate mode.
    pub async fn auth(&self) -> Result<AlbAuth, String> {
        let idp = IdentityProvider::discover(&self.oidc_issuer, &FetchLimits::default())
            .await
            .map_err(|e| {
                format!(
                    "COGNITO_OIDC_ISSUER {}: discovery failed: {e}",
                    self.oidc_issuer
                )
            })?;
        self.builder(idp)?
            .build()
            .map_err(|e| format!("ALB mode: {e}"))
    }

    /// Checks the signer, the public URL and the logout URI as the library
    /// will at start-up, against a placeholder IdP, so that a bad value is
    /// reported under its variable's name before any network call.
    fn check_with_library(&self) -> Result<(), String> {
        let placeholder = |name: &str| format!("https://idp.invalid/{name}");
        let idp = IdentityProvider::from_endpoints(
            "https://idp.invalid",
            &placeholder("authorize"),
            &placeholder("token"),
            &placeholder("userInfo"),
            None,
        )
        .map_err(|e| e.to_string())?;
        let probe = |set: &dyn Fn(AlbAuthBuilder) -> AlbAuthBuilder| {
            let keys = SessionKeys::from_base64(&self.session_keys).map_err(|e| e.to_string())?;
            let key = AlbSigner::generate().map_err(|e| e.to_string())?;
            let base = AlbAuth::builder(idp.clone(), &self.client_id, &self.client_secret)
                .session_keys(keys)
                .signing_key(key)
                .signer(DEFAULT_SIGNER);
            set(base).build().map(drop).map_err(|e| e.to_string())
        };
        probe(&|b| b.signer(&self.signer)).map_err(|e| format!("COGNITO_ALB_SIGNER: {e}"))?;
        if let Some(url) = &self.public_url {
            probe(&|b| b.public_origin(url)).map_err(|e| format!("COGNITO_ALB_PUBLIC_URL: {e}"))?;
        }
        if let Some(uri) = &self.logout_uri {
            probe(&|b| b.logout_path(LOGOUT_PATH, Some(uri)))
                .map_err(|e| format!("COGNITO_ALB_LOGOUT_URI: {e}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn vars(extra: &[(&str, &str)]) -> HashMap<String, String> {
        let mut map: HashMap<String, String> = [
            (
                "COGNITO_OIDC_ISSUER",
                "http://127.0.0.1:9229/us-east-1_AbC123xyz/",
            ),
            ("COGNITO_CLIENT_ID", "client-1"),
            ("COGNITO_CLIENT_SECRET", "s3cret"),
            ("COGNITO_ALB_SESSION_KEY", KEY),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in extra {
            if v.is_empty() {
                map.remove(*k);
            } else {
                map.insert((*k).to_owned(), (*v).to_owned());
            }
        }
        map
    }

    fn parse(extra: &[(&str, &str)]) -> Result<AlbSettings, String> {
        let map = vars(extra);
        AlbSettings::from_vars(&|name| map.get(name).cloned())
    }

    fn error(extra: &[(&str, &str)]) -> String {
        parse(extra).expect_err("the settings are refused")
    }

    #[test]
    fn the_minimal_settings_take_alb_defaults() {
        let s = parse(&[]).unwrap();
        assert_eq!(s.oidc_issuer, "http://127.0.0.1:9229/us-east-1_AbC123xyz");
        assert_eq!(s.pool_id().as_deref(), Some("us-east-1_AbC123xyz"));
        assert_eq!(s.on_unauthenticated, OnUnauthenticated::Authenticate);
        assert_eq!(s.signer, DEFAULT_SIGNER);
        assert_eq!(s.public_url, None);
        assert_eq!(s.logout_target(), None);
        let debug = format!("{s:?}");
        assert!(!debug.contains("s3cret") && !debug.contains(KEY), "{debug}");
    }

    #[test]
    fn every_setting_is_read() {
        let other = "arn:aws:elasticloadbalancing:eu-west-1:210987654321:loadbalancer/app/web/fedcba9876543210";
        let s = parse(&[
            ("COGNITO_ALB_ON_UNAUTHENTICATED", "deny"),
            ("COGNITO_ALB_SIGNER", other),
            ("COGNITO_ALB_PUBLIC_URL", "http://localhost:8080/"),
            ("COGNITO_ALB_SESSION_KEY", &format!("{KEY}, {KEY}")),
        ])
        .unwrap();
        assert_eq!(s.on_unauthenticated, OnUnauthenticated::Deny);
        assert_eq!(s.signer, other);
        assert_eq!(s.public_url.as_deref(), Some("http://localhost:8080"));
        assert_eq!(
            s.logout_target().as_deref(),
            Some("http://localhost:8080/public")
        );
        let allow = parse(&[("COGNITO_ALB_ON_UNAUTHENTICATED", "allow")]).unwrap();
        assert_eq!(allow.on_unauthenticated, OnUnauthenticated::Allow);
        let logout = parse(&[("COGNITO_ALB_LOGOUT_URI", "https://example.com/bye")]).unwrap();
        assert_eq!(
            logout.logout_target().as_deref(),
            Some("https://example.com/bye")
        );
    }

    #[test]
    fn each_missing_setting_is_named() {
        for name in [
            "COGNITO_OIDC_ISSUER",
            "COGNITO_CLIENT_ID",
            "COGNITO_CLIENT_SECRET",
            "COGNITO_ALB_SESSION_KEY",
        ] {
            let e = error(&[(name, "")]);
            assert!(e.starts_with(&format!("{name} is required")), "{e}");
        }
    }

    #[test]
    fn each_bad_value_is_named() {
        let cases: [(&str, &str); 9] = [
            ("COGNITO_OIDC_ISSUER", "not a url"),
            ("COGNITO_OIDC_ISSUER", "ftp://idp.example.com/x"),
            ("COGNITO_CLIENT_ID", "a,b"),
            ("COGNITO_ALB_SESSION_KEY", "c2hvcnQ="),
            ("COGNITO_ALB_SESSION_KEY", "%%%"),
            ("COGNITO_ALB_ON_UNAUTHENTICATED", "redirect"),
            ("COGNITO_ALB_SIGNER", "my-load-balancer"),
            ("COGNITO_ALB_PUBLIC_URL", "localhost:8080/app"),
            ("COGNITO_ALB_LOGOUT_URI", "/relative"),
        ];
        for (name, value) in cases {
            let e = error(&[(name, value)]);
            assert!(e.starts_with(name), "{name}={value:?}: {e}");
        }
    }

    #[test]
    fn a_network_load_balancer_arn_is_not_a_signer() {
        let nlb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/0123456789abcdef";
        assert!(error(&[("COGNITO_ALB_SIGNER", nlb)]).starts_with("COGNITO_ALB_SIGNER"));
    }

    #[test]
    fn the_pool_id_is_only_taken_from_a_cognito_shaped_issuer() {
        let s = parse(&[("COGNITO_OIDC_ISSUER", "https://accounts.example.com")]).unwrap();
        assert_eq!(s.pool_id(), None);
        let s = parse(&[(
            "COGNITO_OIDC_ISSUER",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Xyz",
        )])
        .unwrap();
        assert_eq!(s.pool_id().as_deref(), Some("eu-west-1_Xyz"));
    }
}
