//! ALB authenticate mode, per session request: join the cookie shards and open
//! the session (one shard and two), sign a data token, hit the data cache.
//!
//! `cargo bench -p cognito-verifier --bench alb_session`

use cognito_verifier::gate::alb::{
    AlbSigner, DataCache, DataHeader, Joined, Session, SessionKeys, cookies,
};
use criterion::{Criterion, criterion_main};
use std::hint::black_box;

const COOKIE: &str = "AWSELBAuthSessionCookie";

/// A session whose sealed text is about `size` bytes.
fn session(size: usize) -> Session {
    let userinfo = serde_json::json!({
        "sub": "8f3a2c5e-1b7d-4e6f-9a0b-3c4d5e6f7a8b",
        "email": "alice@example.com",
        "email_verified": "true",
        "username": "alice",
    });
    let mut s = Session {
        sid: Session::new_sid().unwrap(),
        sub: "8f3a2c5e-1b7d-4e6f-9a0b-3c4d5e6f7a8b".into(),
        access_token: String::new(),
        refresh_token: Some("r".repeat(1700)),
        access_exp: 4_102_444_800,
        userinfo: userinfo.as_object().unwrap().clone(),
        created: 1_700_000_000,
        expires: 4_102_444_800,
    };
    // base64 grows 4/3: pad the access token until the sealed text is ~size.
    let base = s.seal(&keys(), COOKIE).unwrap().len();
    s.access_token = "a".repeat((size.saturating_sub(base)) * 3 / 4);
    s
}

fn keys() -> SessionKeys {
    SessionKeys::new(vec![[7; 32]]).unwrap()
}

fn cookie_header(s: &Session, keys: &SessionKeys) -> (usize, String) {
    let shards = cookies::shard(COOKIE, &s.seal(keys, COOKIE).unwrap()).unwrap();
    let header = shards
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    (shards.len(), format!("_ga=GA1.1.123; {header}"))
}

fn bench(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("alb_session");
    for (label, size, expected_shards) in
        [("open_3k_1_shard", 3000, 1), ("open_6k_2_shards", 6000, 2)]
    {
        let (count, header) = cookie_header(&session(size), &keys);
        assert_eq!(count, expected_shards);
        group.bench_function(label, |b| {
            b.iter(|| {
                let Joined::Value(text) = cookies::join(COOKIE, [black_box(header.as_bytes())])
                else {
                    panic!("not joined")
                };
                Session::open(&keys, COOKIE, &text).unwrap()
            })
        });
    }

    let signer = AlbSigner::generate().unwrap();
    let header = DataHeader {
        iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example".into(),
        client: "4b1gq2example".into(),
        signer: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188".into(),
        exp: 4_102_444_800,
    };
    let s = session(3000);
    let payload = serde_json::to_string(&s.userinfo).unwrap();
    group.bench_function("sign_data_token", |b| {
        b.iter(|| {
            signer
                .sign(black_box(&header), black_box(&payload))
                .unwrap()
        })
    });

    let cache = DataCache::new(10_000);
    cache
        .get_or_sign(&s, || signer.sign(&header, &payload))
        .unwrap();
    group.bench_function("data_cache_hit", |b| {
        b.iter(|| {
            cache
                .get_or_sign(black_box(&s), || unreachable!("cached"))
                .unwrap()
        })
    });
    group.finish();
}

/// The criterion group (its macro generates an undocumented `pub fn`).
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(group::benches);
