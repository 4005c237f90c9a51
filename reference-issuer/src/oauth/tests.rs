//! Unit tests of the authorization request and the code grant on a real
//! store (the HTTP path is tested in tests/authorization_code.rs).

use super::authorization_code::{self, Redemption};
use super::authorize::{
    AuthorizeError, AuthorizeParams, AuthorizeRequest, CODE_TTL, ResponseType, grant, grant_at,
    validate,
};
use super::{OAuthError, OAuthErrorKind};
use crate::config::{IssuerConfig, apply};
use crate::ids;
use crate::issuer::Issuer;
use crate::signin::SignedIn;
use crate::store::Store;
use crate::tokens::jwt::ParsedJwt;

const POOL: &str = "us-east-1_OauthTest1";
const CB: &str = "https://app.example/cb";
const CB_QUERY: &str = "https://app.example/cb2?x=1";

struct Fixture {
    _dir: tempfile::TempDir,
    issuer: Issuer,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let issuer = Issuer::new(
        Store::open(&dir.path().join("db.sqlite3")).unwrap(),
        "http://127.0.0.1:9".into(),
    );
    let cfg = IssuerConfig::from_toml_str(&format!(
        r#"
        [[pools]]
        name = "p"
        id = "{POOL}"
        [[pools.clients]]
        name = "web"
        id = "webclient"
        allowed_oauth_scopes = ["phone", "openid", "email", "profile", "aws.cognito.signin.user.admin"]
        allowed_oauth_flows = ["code", "implicit"]
        callback_urls = ["{CB}", "{CB_QUERY}"]
        [[pools.clients]]
        name = "codeonly"
        id = "codeonlyclient"
        allowed_oauth_scopes = ["openid", "email"]
        allowed_oauth_flows = ["code"]
        callback_urls = ["{CB}"]
        [[pools.users]]
        username = "alice"
        password = "Corr3ct-Horse!"
        attributes = {{ email = "alice@example.com", email_verified = "true" }}
        "#
    ))
    .unwrap();
    apply(&issuer, &cfg).unwrap();
    Fixture { _dir: dir, issuer }
}

fn params(client: &str, response_type: &str) -> AuthorizeParams {
    AuthorizeParams {
        response_type: Some(response_type.into()),
        client_id: Some(client.into()),
        redirect_uri: Some(CB.into()),
        state: Some("st a&te".into()),
        ..Default::default()
    }
}

fn redirect(r: Result<AuthorizeRequest, AuthorizeError>) -> String {
    match r {
        Err(AuthorizeError::Redirect { location }) => location,
        other => panic!("expected a redirect, got {other:?}"),
    }
}

fn alice(f: &Fixture) -> SignedIn {
    let (pool, _) = f.issuer.pool(POOL).unwrap();
    let sub = f
        .issuer
        .read(|c| {
            Ok(crate::store::users::get_user_by_username(
                c, &pool, "alice",
            )?)
        })
        .unwrap()
        .unwrap()
        .sub;
    SignedIn {
        pool_id: POOL.into(),
        sub,
        username: "alice".into(),
        auth_time: ids::now() - 5,
    }
}

fn code_of(location: &str) -> String {
    let q = location.split_once('?').unwrap().1;
    q.split('&')
        .find_map(|kv| kv.strip_prefix("code="))
        .unwrap()
        .to_string()
}

#[test]
fn unknown_clients_and_unregistered_redirects_never_redirect() {
    let f = fixture();
    for p in [
        AuthorizeParams {
            client_id: Some("nosuchclient".into()),
            ..params("x", "code")
        },
        AuthorizeParams {
            client_id: None,
            ..params("x", "code")
        },
        AuthorizeParams {
            redirect_uri: Some("https://evil.example/cb".into()),
            ..params("webclient", "code")
        },
        AuthorizeParams {
            redirect_uri: Some(format!("{CB}/")),
            ..params("webclient", "code")
        },
        AuthorizeParams {
            redirect_uri: None,
            ..params("webclient", "code")
        },
    ] {
        let r = validate(&f.issuer, &p);
        assert!(
            matches!(r, Err(AuthorizeError::Page { .. })),
            "{p:?}: {r:?}"
        );
    }
}

#[test]
fn request_errors_redirect_with_error_and_state() {
    let f = fixture();
    let cases = [
        (params("webclient", ""), "error=invalid_request"),
        (
            params("webclient", "id_token"),
            "error=unsupported_response_type",
        ),
        (
            params("codeonlyclient", "token"),
            "error=unauthorized_client",
        ),
        (
            AuthorizeParams {
                scope: Some("email".into()),
                ..params("webclient", "code")
            },
            "error=invalid_scope",
        ),
        (
            AuthorizeParams {
                scope: Some("bogus other".into()),
                ..params("webclient", "code")
            },
            "error=invalid_scope",
        ),
        (
            AuthorizeParams {
                code_challenge: Some("a".repeat(43)),
                code_challenge_method: Some("plain".into()),
                ..params("webclient", "code")
            },
            "error=invalid_request",
        ),
        (
            AuthorizeParams {
                code_challenge: Some("a".repeat(42)),
                code_challenge_method: Some("S256".into()),
                ..params("webclient", "code")
            },
            "error=invalid_request",
        ),
        (
            AuthorizeParams {
                identity_provider: Some("Google".into()),
                ..params("webclient", "code")
            },
            "error=invalid_request",
        ),
        (
            AuthorizeParams {
                prompt: Some("sometimes".into()),
                ..params("webclient", "code")
            },
            "error=invalid_request",
        ),
        (
            AuthorizeParams {
                nonce: Some("n".repeat(2049)),
                ..params("webclient", "code")
            },
            "error=invalid_request",
        ),
    ];
    for (p, error) in cases {
        // The implicit grant's errors go in the fragment (RFC 6749 §4.2.2.1).
        let sep = if p.response_type.as_deref() == Some("token") {
            '#'
        } else {
            '?'
        };
        let loc = redirect(validate(&f.issuer, &p));
        assert!(loc.starts_with(&format!("{CB}{sep}{error}&")), "{loc}");
        assert!(loc.ends_with("&state=st%20a%26te"), "{loc}");
    }
    // An oversized state is not echoed.
    let loc = redirect(validate(
        &f.issuer,
        &AuthorizeParams {
            state: Some("s".repeat(2049)),
            ..params("webclient", "code")
        },
    ));
    assert!(
        loc.starts_with(&format!("{CB}?error=invalid_request&")),
        "{loc}"
    );
    assert!(!loc.contains("state="), "{loc}");
    // An existing query is kept; the implicit grant answers in the fragment.
    let loc = redirect(validate(
        &f.issuer,
        &AuthorizeParams {
            redirect_uri: Some(CB_QUERY.into()),
            scope: Some("phone".into()),
            ..params("webclient", "token")
        },
    ));
    assert!(
        loc.starts_with(&format!("{CB_QUERY}#error=invalid_scope&")),
        "{loc}"
    );
}

#[test]
fn scopes_keep_the_clients_order_and_ignore_unknown_ones() {
    let f = fixture();
    let req = validate(
        &f.issuer,
        &AuthorizeParams {
            scope: Some("email bogus openid".into()),
            ..params("webclient", "code")
        },
    )
    .unwrap();
    assert_eq!(req.scopes, ["openid", "email"]);
    let req = validate(&f.issuer, &params("webclient", "code")).unwrap();
    assert_eq!(
        req.scopes,
        [
            "phone",
            "openid",
            "email",
            "profile",
            "aws.cognito.signin.user.admin"
        ]
    );
    assert_eq!(req.response_type, ResponseType::Code);
}

fn code_request(f: &Fixture, challenge: Option<&str>) -> AuthorizeRequest {
    validate(
        &f.issuer,
        &AuthorizeParams {
            scope: Some("openid email".into()),
            nonce: Some("n-0S6_WzA2Mj".into()),
            code_challenge: challenge.map(str::to_string),
            code_challenge_method: challenge.map(|_| "S256".to_string()),
            ..params("webclient", "code")
        },
    )
    .unwrap()
}

fn redeem(
    f: &Fixture,
    client: &str,
    code: &str,
    verifier: Option<&str>,
    now: i64,
) -> Result<super::TokenResponse, OAuthError> {
    let client = f.issuer.client(client).unwrap();
    let r = Redemption {
        code,
        redirect_uri: CB,
        code_verifier: verifier,
    };
    authorization_code::grant_at(&f.issuer, &client, r, now)
}

// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

#[test]
fn a_code_is_redeemed_once_with_pkce_and_carries_the_grant() {
    let f = fixture();
    let who = alice(&f);
    let req = code_request(&f, Some(CHALLENGE));
    let loc = grant(&f.issuer, &req, &who).unwrap();
    assert!(loc.starts_with(&format!("{CB}?code=")), "{loc}");
    assert!(loc.ends_with("&state=st%20a%26te"), "{loc}");
    let code = code_of(&loc);
    assert!(code.len() >= 43, "at least 256 bits: {code}");
    let now = ids::now();
    let kind = |r: Result<_, OAuthError>| r.map(|_| ()).unwrap_err().kind;
    assert_eq!(
        kind(redeem(&f, "webclient", &code, None, now)),
        OAuthErrorKind::InvalidGrant
    );
    let wrong = "x".repeat(43);
    assert_eq!(
        kind(redeem(&f, "webclient", &code, Some(&wrong), now)),
        OAuthErrorKind::InvalidGrant
    );
    assert_eq!(
        kind(redeem(&f, "webclient", &code, Some("short"), now)),
        OAuthErrorKind::InvalidRequest
    );
    assert_eq!(
        kind(redeem(&f, "codeonlyclient", &code, Some(VERIFIER), now)),
        OAuthErrorKind::InvalidGrant
    );
    let t = redeem(&f, "webclient", &code, Some(VERIFIER), now).unwrap();
    let id = ParsedJwt::parse(t.id_token.as_deref().unwrap())
        .unwrap()
        .claims;
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["auth_time"], who.auth_time);
    assert_eq!(
        id["at_hash"],
        crate::tokens::at_hash(&t.access_token).as_str()
    );
    let at = ParsedJwt::parse(&t.access_token).unwrap().claims;
    assert_eq!(at["scope"], "openid email");
    assert_eq!(at["version"], 2);
    assert!(t.refresh_token.is_some());
    // Replayed: refused, and the sign-in it issued is revoked.
    assert_eq!(
        kind(redeem(&f, "webclient", &code, Some(VERIFIER), now)),
        OAuthErrorKind::InvalidGrant
    );
    let err =
        crate::tokens::validate_access_token(&f.issuer.keys, &f.issuer.store, &t.access_token)
            .unwrap_err();
    assert_eq!(err.message, "Access Token has been revoked");
}

#[test]
fn an_expired_code_is_refused() {
    let f = fixture();
    let req = code_request(&f, None);
    let issued_at = ids::now() - CODE_TTL - 1;
    let code = code_of(&grant_at(&f.issuer, &req, &alice(&f), issued_at).unwrap());
    let e = redeem(&f, "webclient", &code, None, ids::now())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.kind, OAuthErrorKind::InvalidGrant);
    // A verifier without a challenge is refused too.
    let code = code_of(&grant(&f.issuer, &req, &alice(&f)).unwrap());
    let e = redeem(&f, "webclient", &code, Some(VERIFIER), ids::now())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.kind, OAuthErrorKind::InvalidGrant);
    assert!(redeem(&f, "webclient", &code, None, ids::now()).is_ok());
}

#[test]
fn the_implicit_grant_answers_in_the_fragment() {
    let f = fixture();
    let req = validate(
        &f.issuer,
        &AuthorizeParams {
            scope: Some("openid profile".into()),
            nonce: Some("abc".into()),
            ..params("webclient", "token")
        },
    )
    .unwrap();
    let loc = grant(&f.issuer, &req, &alice(&f)).unwrap();
    let frag = loc.strip_prefix(&format!("{CB}#")).unwrap();
    let get = |k: &str| {
        frag.split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .map(str::to_string)
    };
    assert_eq!(get("token_type").as_deref(), Some("bearer"));
    assert_eq!(get("expires_in").as_deref(), Some("3600"));
    assert_eq!(get("state").as_deref(), Some("st%20a%26te"));
    let at = get("access_token").unwrap();
    let id = ParsedJwt::parse(&get("id_token").unwrap()).unwrap().claims;
    assert_eq!(id["nonce"], "abc");
    assert_eq!(id["at_hash"], crate::tokens::at_hash(&at).as_str());
    assert!(crate::tokens::validate_access_token(&f.issuer.keys, &f.issuer.store, &at).is_ok());
    // Without openid: no ID token.
    let req = validate(
        &f.issuer,
        &AuthorizeParams {
            scope: Some("aws.cognito.signin.user.admin".into()),
            ..params("webclient", "token")
        },
    )
    .unwrap();
    let loc = grant(&f.issuer, &req, &alice(&f)).unwrap();
    assert!(
        loc.contains("#access_token=") && !loc.contains("id_token="),
        "{loc}"
    );
}

#[test]
fn of_two_concurrent_redemptions_exactly_one_wins() {
    let f = fixture();
    for _ in 0..5 {
        let req = code_request(&f, None);
        let code = code_of(&grant(&f.issuer, &req, &alice(&f)).unwrap());
        let results: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|_| s.spawn(|| redeem(&f, "webclient", &code, None, ids::now())))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(won.len(), 1, "{results:?}");
        let lost = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(lost.kind, OAuthErrorKind::InvalidGrant);
        // The second redemption is a replay: the winner's sign-in is revoked.
        let refreshed = redeem_refresh(&f, won[0].refresh_token.as_deref().unwrap());
        assert_eq!(refreshed.unwrap_err().kind, OAuthErrorKind::InvalidGrant);
    }
}

fn redeem_refresh(f: &Fixture, token: &str) -> Result<super::TokenResponse, OAuthError> {
    let client = f.issuer.client("webclient").unwrap();
    super::refresh_token::grant(&f.issuer, &client, token)
}

#[test]
fn refreshes_keep_the_granted_scopes() {
    let f = fixture();
    let scope_of = |t: &str| ParsedJwt::parse(t).unwrap().claims["scope"].clone();
    // With openid: an ID token on every refresh, without the nonce.
    let req = code_request(&f, None);
    let code = code_of(&grant(&f.issuer, &req, &alice(&f)).unwrap());
    let first = redeem(&f, "webclient", &code, None, ids::now()).unwrap();
    let refresh = first.refresh_token.unwrap();
    let again = redeem_refresh(&f, &refresh).unwrap();
    assert_eq!(scope_of(&again.access_token), "openid email");
    let id = ParsedJwt::parse(&again.id_token.unwrap()).unwrap().claims;
    assert!(
        id.get("nonce").is_none() && id.get("at_hash").is_some(),
        "{id}"
    );
    // REFRESH_TOKEN_AUTH keeps them too.
    let ctx = crate::signin::FlowContext::load(&f.issuer, None, "webclient").unwrap();
    let auth = [("REFRESH_TOKEN".to_string(), refresh.clone())].into();
    let out = crate::signin::start(&f.issuer, &ctx, "REFRESH_TOKEN_AUTH", &auth).unwrap();
    let crate::signin::Outcome::Tokens(t) = out else {
        panic!("tokens expected")
    };
    assert_eq!(scope_of(&t.access_token), "openid email");
    assert!(t.id_token.is_some());
    // Without openid: no ID token, now or on refresh.
    let req = validate(
        &f.issuer,
        &AuthorizeParams {
            scope: Some("aws.cognito.signin.user.admin".into()),
            ..params("webclient", "code")
        },
    )
    .unwrap();
    let code = code_of(&grant(&f.issuer, &req, &alice(&f)).unwrap());
    let first = redeem(&f, "webclient", &code, None, ids::now()).unwrap();
    assert!(first.id_token.is_none());
    let again = redeem_refresh(&f, first.refresh_token.as_deref().unwrap()).unwrap();
    assert!(again.id_token.is_none());
    assert_eq!(
        scope_of(&again.access_token),
        "aws.cognito.signin.user.admin"
    );
    // Another client's refresh grant refuses the token.
    let other = f.issuer.client("codeonlyclient").unwrap();
    let e = super::refresh_token::grant(&f.issuer, &other, &refresh)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.kind, OAuthErrorKind::InvalidGrant);
}

#[test]
fn a_user_disabled_since_the_code_was_issued_gets_no_tokens() {
    let f = fixture();
    let req = code_request(&f, None);
    let code = code_of(&grant(&f.issuer, &req, &alice(&f)).unwrap());
    let (pool, _) = f.issuer.pool(POOL).unwrap();
    let user = f
        .issuer
        .read(|c| {
            Ok(crate::store::users::get_user_by_username(
                c, &pool, "alice",
            )?)
        })
        .unwrap()
        .unwrap();
    crate::directory::admin_users::admin_set_enabled(&f.issuer, &pool, &user, false).unwrap();
    let e = redeem(&f, "webclient", &code, None, ids::now())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.kind, OAuthErrorKind::InvalidGrant);
}
