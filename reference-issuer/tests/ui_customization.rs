//! SetUICustomization / GetUICustomization over real HTTP, the assets the
//! hosted UI links (`/hosted-ui/{pool}/{client}/custom.css` and `/logo`),
//! and the same customization from a configuration file: the pool default
//! (`ALL`) and client overrides, AWS's refusals (no domain, unknown pool or
//! client, CSS outside the customizable classes, logos that are not small
//! PNG/JPEG files) storing nothing, and customizations removed with their
//! client or pool.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_issuer::{IssuerConfig, IssuerOptions, IssuerServer, RunningIssuer};
use common::{call, ok};
use serde_json::{Value, json};

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
/// The start of a JPEG (what the format check reads).
const JPEG: &[u8] = &[
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
];

const POOL_CSS: &str = ".banner-customizable { background-color: #0b5394; }";
const CLIENT_CSS: &str =
    "/* brand */ .submitButton-customizable, .submitButton-customizable:hover { color: #fff }";

async fn start(dir: &std::path::Path) -> RunningIssuer {
    IssuerServer::start(IssuerOptions::new(dir)).await.unwrap()
}

async fn get_ui(base: &str, pool: &str, client: Option<&str>) -> Value {
    let mut input = json!({ "UserPoolId": pool });
    if let Some(c) = client {
        input["ClientId"] = c.into();
    }
    ok(base, "GetUICustomization", input).await["UICustomization"].clone()
}

/// GET an asset: status, content type, body.
async fn asset(url: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let res = reqwest::Client::new()
        .get(url)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.unwrap().to_vec())
}

fn css_url(base: &str, pool: &str, client: &str) -> String {
    format!("{base}/hosted-ui/{pool}/{client}/custom.css")
}

fn logo_url(base: &str, pool: &str, client: &str) -> String {
    format!("{base}/hosted-ui/{pool}/{client}/logo")
}

#[tokio::test]
async fn customizations_are_set_per_pool_and_client_and_served_to_the_pages() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let (base, pool, client) = (issuer.base_url(), issuer.pool_id(), issuer.client_id());

    // AWS refuses a customization of a pool without a domain.
    let set_pool = json!({ "UserPoolId": pool, "ClientId": "ALL", "CSS": POOL_CSS,
                           "ImageFile": STANDARD.encode(PNG) });
    let (k, m) = call(base, "SetUICustomization", set_pool.clone())
        .await
        .unwrap_err();
    assert_eq!(k, "InvalidParameterException");
    assert_eq!(
        m,
        "There has to be an existing domain associated with this user pool"
    );
    ok(
        base,
        "CreateUserPoolDomain",
        json!({ "UserPoolId": pool, "Domain": "my-brand" }),
    )
    .await;

    // Nothing set yet: the answer names only the pool and client.
    assert_eq!(
        get_ui(base, pool, Some(client)).await,
        json!({ "UserPoolId": pool, "ClientId": client })
    );
    let (status, h, body) = asset(&css_url(base, pool, client)).await;
    assert_eq!(status, 200);
    assert_eq!(h["content-type"], "text/css; charset=utf-8");
    assert!(body.is_empty());
    assert_eq!(asset(&logo_url(base, pool, client)).await.0, 404);

    let set = ok(base, "SetUICustomization", set_pool).await["UICustomization"].clone();
    assert_eq!(set["UserPoolId"], pool);
    assert_eq!(set["ClientId"], "ALL");
    assert_eq!(set["CSS"], POOL_CSS);
    let version = set["CSSVersion"].as_str().unwrap().to_string();
    assert!(set["CreationDate"].as_f64().unwrap() > 1.7e9);
    let image_url = set["ImageUrl"].as_str().unwrap().to_string();
    assert!(
        image_url.starts_with(&format!("{base}/hosted-ui/{pool}/ALL/logo")),
        "{image_url}"
    );

    // The client has none of its own: it gets the pool's.
    let got = get_ui(base, pool, Some(client)).await;
    assert_eq!(got, set);
    assert_eq!(get_ui(base, pool, None).await, set);
    let (status, h, body) = asset(&image_url).await;
    assert_eq!((status, body.as_slice()), (200, PNG));
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let (status, h, body) = asset(&css_url(base, pool, client)).await;
    assert_eq!((status, body.as_slice()), (200, POOL_CSS.as_bytes()));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["cache-control"].to_str().unwrap().contains("max-age="),
        "{h:?}"
    );
    assert!(
        h.get("access-control-allow-origin").is_none(),
        "CORS stays closed"
    );

    // A client's own customization replaces the pool's for that client.
    let own = ok(
        base,
        "SetUICustomization",
        json!({ "UserPoolId": pool, "ClientId": client, "CSS": CLIENT_CSS,
                "ImageFile": STANDARD.encode(JPEG) }),
    )
    .await["UICustomization"]
        .clone();
    assert_eq!(own["ClientId"], client);
    assert_ne!(own["CSSVersion"], version.as_str());
    assert_eq!(get_ui(base, pool, Some(client)).await, own);
    assert_eq!(get_ui(base, pool, Some("ALL")).await, set);
    let (_, h, body) = asset(&logo_url(base, pool, client)).await;
    assert_eq!(
        (h["content-type"].to_str().unwrap(), body.as_slice()),
        ("image/jpeg", JPEG)
    );
    assert_eq!(
        asset(&css_url(base, pool, client)).await.2,
        CLIENT_CSS.as_bytes()
    );

    // Setting replaces both: CSS alone drops the logo.
    let css_only = ok(
        base,
        "SetUICustomization",
        json!({ "UserPoolId": pool, "ClientId": client, "CSS": CLIENT_CSS }),
    )
    .await["UICustomization"]
        .clone();
    assert!(css_only.get("ImageUrl").is_none());
    assert_eq!(css_only["CreationDate"], own["CreationDate"]);
    assert_eq!(asset(&logo_url(base, pool, client)).await.0, 404);
}

#[tokio::test]
async fn refused_customizations_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let (base, pool, client) = (issuer.base_url(), issuer.pool_id(), issuer.client_id());
    ok(
        base,
        "CreateUserPoolDomain",
        json!({ "UserPoolId": pool, "Domain": "refusals" }),
    )
    .await;
    let mut big_png = PNG.to_vec();
    big_png.resize(100 * 1024 + 1, 0);
    let cases = [
        (
            json!({ "UserPoolId": "us-east-1_Missing00", "CSS": POOL_CSS }),
            "ResourceNotFoundException",
            "",
        ),
        (
            json!({ "UserPoolId": pool, "ClientId": "nosuchclient0000000000000", "CSS": POOL_CSS }),
            "ResourceNotFoundException",
            "",
        ),
        (
            json!({ "UserPoolId": pool, "CSS": "@import url(https://evil.example/x.css);" }),
            "InvalidParameterException",
            "Invalid CSS: at-rules",
        ),
        (
            json!({ "UserPoolId": pool, "CSS": "body { display: none }" }),
            "InvalidParameterException",
            "selector \"body\" is not one of the customizable classes",
        ),
        (
            json!({ "UserPoolId": pool,
                    "CSS": ".banner-customizable { background: url(https://evil.example/t.gif) }" }),
            "InvalidParameterException",
            "url() is not accepted",
        ),
        (
            json!({ "UserPoolId": pool,
                    "CSS": ".banner-customizable { color: red } </style><script>alert(1)</script>" }),
            "InvalidParameterException",
            "Invalid CSS",
        ),
        (
            json!({ "UserPoolId": pool, "CSS": "x".repeat(131_073) }),
            "InvalidParameterException",
            "Member must have length less than or equal to 131072",
        ),
        (
            json!({ "UserPoolId": pool, "ImageFile": STANDARD.encode(b"GIF89a....") }),
            "InvalidParameterException",
            "must be a PNG or JPEG file",
        ),
        (
            json!({ "UserPoolId": pool, "ImageFile": STANDARD.encode(&big_png) }),
            "InvalidParameterException",
            "no larger than 100 KB",
        ),
        (
            json!({ "UserPoolId": pool, "ImageFile": "not base64!" }),
            "SerializationException",
            "base64",
        ),
        (
            json!({ "ClientId": client, "CSS": POOL_CSS }),
            "InvalidParameterException",
            "Value null at 'userPoolId'",
        ),
    ];
    for (input, kind, message) in cases {
        let (k, m) = call(base, "SetUICustomization", input.clone())
            .await
            .unwrap_err();
        assert_eq!(k, kind, "{m}");
        assert!(m.contains(message), "{m}");
    }
    let (k, _) = call(
        base,
        "GetUICustomization",
        json!({ "UserPoolId": pool, "ClientId": "nosuchclient0000000000000" }),
    )
    .await
    .unwrap_err();
    assert_eq!(k, "ResourceNotFoundException");
    assert_eq!(
        get_ui(base, pool, None).await,
        json!({ "UserPoolId": pool, "ClientId": "ALL" })
    );
    assert!(asset(&css_url(base, pool, "ALL")).await.2.is_empty());
}

#[tokio::test]
async fn customizations_go_with_their_client_and_pool() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let base = issuer.base_url();
    let pool = ok(base, "CreateUserPool", json!({ "PoolName": "branded" })).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let client = ok(
        base,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientName": "web" }),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        base,
        "CreateUserPoolDomain",
        json!({ "UserPoolId": pool, "Domain": "branded-app" }),
    )
    .await;
    for (c, css) in [("ALL", POOL_CSS), (client.as_str(), CLIENT_CSS)] {
        ok(
            base,
            "SetUICustomization",
            json!({ "UserPoolId": pool, "ClientId": c, "CSS": css }),
        )
        .await;
    }
    assert_eq!(
        asset(&css_url(base, &pool, &client)).await.2,
        CLIENT_CSS.as_bytes()
    );
    ok(
        base,
        "DeleteUserPoolClient",
        json!({ "UserPoolId": pool, "ClientId": client }),
    )
    .await;
    // The client's own is gone; its id now only finds the pool's.
    assert_eq!(
        asset(&css_url(base, &pool, &client)).await.2,
        POOL_CSS.as_bytes()
    );
    ok(base, "DeleteUserPool", json!({ "UserPoolId": pool })).await;
    assert!(asset(&css_url(base, &pool, "ALL")).await.2.is_empty());
}

#[tokio::test]
async fn the_configuration_file_sets_domain_customizations_and_oauth_fields() {
    let dir = tempfile::tempdir().unwrap();
    let conf_dir = tempfile::tempdir().unwrap();
    std::fs::write(conf_dir.path().join("brand.css"), POOL_CSS).unwrap();
    std::fs::create_dir(conf_dir.path().join("img")).unwrap();
    std::fs::write(conf_dir.path().join("img/logo.png"), PNG).unwrap();
    let path = conf_dir.path().join("issuer.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[[pools]]
name = "branded"
id = "us-east-1_Branded01"
domain = "branded-dev"
ui_customization = {{ css_file = "brand.css", logo_file = "img/logo.png" }}

[[pools.clients]]
name = "web"
id = "brandedwebclient000000001"
allowed_oauth_flows = ["code"]
allowed_oauth_scopes = ["openid", "email"]
callback_urls = ["http://localhost:3000/callback", "https://app.example.com/cb"]
logout_urls = ["http://localhost:3000/"]
default_redirect_uri = "https://app.example.com/cb"
supported_identity_providers = ["COGNITO"]
ui_customization = {{ css = "{CLIENT_CSS}" }}

[[pools.clients]]
name = "other"
id = "brandedotherclient0000001"
"#
        ),
    )
    .unwrap();
    let cfg = IssuerConfig::from_file(&path).unwrap();
    let (pool, web, other) = (
        "us-east-1_Branded01",
        "brandedwebclient000000001",
        "brandedotherclient0000001",
    );
    let mut seen = Vec::new();
    for _ in 0..2 {
        let mut opts = IssuerOptions::new(dir.path());
        opts.config = Some(cfg.clone());
        let issuer = IssuerServer::start(opts).await.unwrap();
        let base = issuer.base_url().to_string();
        let d = ok(
            &base,
            "DescribeUserPoolDomain",
            json!({ "Domain": "branded-dev" }),
        )
        .await;
        assert_eq!(d["DomainDescription"]["UserPoolId"], pool);
        let c = ok(
            &base,
            "DescribeUserPoolClient",
            json!({ "UserPoolId": pool, "ClientId": web }),
        )
        .await["UserPoolClient"]
            .clone();
        assert_eq!(c["LogoutURLs"], json!(["http://localhost:3000/"]));
        assert_eq!(c["DefaultRedirectURI"], "https://app.example.com/cb");
        assert_eq!(c["SupportedIdentityProviders"], json!(["COGNITO"]));
        assert_eq!(c["AllowedOAuthFlowsUserPoolClient"], json!(true));
        assert_eq!(
            issuer.hosted_ui_login_url().unwrap(),
            format!(
                "{base}/login?client_id={web}&response_type=code&scope=openid+email\
                 &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb"
            )
        );
        let own = get_ui(&base, pool, Some(web)).await;
        assert_eq!(own["CSS"], CLIENT_CSS);
        let fallback = get_ui(&base, pool, Some(other)).await;
        assert_eq!(fallback["CSS"], POOL_CSS);
        let logo = asset(fallback["ImageUrl"].as_str().unwrap()).await;
        assert_eq!(logo.2, PNG);
        // Applying the same file again changes nothing (the port, in
        // ImageUrl, is new on each start).
        let mut fallback = fallback;
        fallback.as_object_mut().unwrap().remove("ImageUrl");
        seen.push((own, fallback));
        issuer.shutdown().await.unwrap();
    }
    assert_eq!(seen[0], seen[1]);

    // A customization without a domain is refused at start-up, as AWS would.
    let bad = IssuerConfig::from_toml_str(
        "[[pools]]\nname = \"p\"\nui_customization = { css = \".logo-customizable { max-width: 50% }\" }\n\
         [[pools.clients]]\nname = \"c\"\n",
    )
    .unwrap();
    let bad_dir = tempfile::tempdir().unwrap();
    let mut opts = IssuerOptions::new(bad_dir.path());
    opts.config = Some(bad);
    let e = IssuerServer::start(opts).await.unwrap_err().to_string();
    assert!(e.contains("existing domain"), "{e}");
}
