//! ES256 tokens verified with keys from a JWKS URL served inside the test;
//! key rotation picked up on an unknown kid; algorithm confusion refused.

use std::sync::{Arc, Mutex};

use axum::{Json, Router, routing::get};
use backbone_edge::{
    auth::{TokenVerifier, claims_for},
    config::AuthConfig,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use p256::{SecretKey, pkcs8::EncodePrivateKey};
use serde_json::{Value, json};
use uuid::Uuid;

struct Signer {
    kid: String,
    key: SecretKey,
}

impl Signer {
    fn new(kid: &str) -> Self {
        Self { kid: kid.into(), key: SecretKey::random(&mut rand_core::OsRng) }
    }

    fn jwk(&self) -> Value {
        let mut jwk: Value = serde_json::from_str(&self.key.public_key().to_jwk_string()).expect("jwk");
        jwk["kid"] = json!(self.kid);
        jwk["alg"] = json!("ES256");
        jwk["use"] = json!("sig");
        jwk
    }

    fn sign(&self, config: &AuthConfig) -> String {
        let pem = self.key.to_pkcs8_pem(Default::default()).expect("pem");
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        let claims = claims_for(config, Uuid::now_v7(), Uuid::now_v7(), &["clinician"], 600);
        encode(&header, &claims, &EncodingKey::from_ec_pem(pem.as_bytes()).expect("key")).expect("sign")
    }
}

/// A JWKS endpoint whose key set the test can change, counting fetches.
async fn jwks_server(keys: Arc<Mutex<Vec<Value>>>, fetches: Arc<Mutex<u32>>) -> String {
    let app = Router::new().route(
        "/jwks.json",
        get(move || {
            let keys = keys.clone();
            let fetches = fetches.clone();
            async move {
                *fetches.lock().expect("lock") += 1;
                Json(json!({"keys": *keys.lock().expect("lock")}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}/jwks.json")
}

#[tokio::test]
async fn es256_tokens_verify_from_jwks_and_rotation_is_picked_up() {
    let first = Signer::new("k1");
    let keys = Arc::new(Mutex::new(vec![first.jwk()]));
    let fetches = Arc::new(Mutex::new(0));
    let url = jwks_server(keys.clone(), fetches.clone()).await;
    let config = AuthConfig { jwks_url: Some(url), ..AuthConfig::default() };
    let verifier = TokenVerifier::new(&config);

    let claims = verifier.verify(&first.sign(&config)).await.expect("valid ES256 token");
    assert_eq!(claims.roles, ["clinician"]);
    verifier.verify(&first.sign(&config)).await.expect("cached key");
    assert_eq!(*fetches.lock().expect("lock"), 1, "the key set is cached");

    // The issuer rotates to k2: inside the refetch guard a new kid is
    // refused without a fetch; once the guard allows, it is fetched.
    let second = Signer::new("k2");
    keys.lock().expect("lock").push(second.jwk());
    assert!(verifier.verify(&second.sign(&config)).await.is_err(), "inside the guard");
    assert_eq!(*fetches.lock().expect("lock"), 1);
    let eager = AuthConfig { jwks_min_refetch_seconds: 0, ..config.clone() };
    let verifier = TokenVerifier::new(&eager);
    verifier.verify(&first.sign(&eager)).await.expect("k1");
    verifier.verify(&second.sign(&eager)).await.expect("k2 after rotation");
    keys.lock().expect("lock").retain(|k| k["kid"] == "k2");
    verifier.verify(&second.sign(&eager)).await.expect("k2 still cached");

    // A token signed by a key not in the set is refused, whatever its kid.
    let impostor = Signer { kid: "k1".into(), key: SecretKey::random(&mut rand_core::OsRng) };
    assert!(verifier.verify(&impostor.sign(&config)).await.is_err());
}

#[tokio::test]
async fn unknown_kid_refetches_after_the_guard_and_symmetric_tokens_are_refused() {
    let signer = Signer::new("late");
    let keys = Arc::new(Mutex::new(Vec::new()));
    let fetches = Arc::new(Mutex::new(0));
    let url = jwks_server(keys.clone(), fetches.clone()).await;
    let config = AuthConfig { jwks_url: Some(url), ..AuthConfig::default() };
    let verifier = TokenVerifier::new(&config);
    // First sight of an unknown kid fetches (the set is empty then).
    assert!(verifier.verify(&signer.sign(&config)).await.is_err());
    assert_eq!(*fetches.lock().expect("lock"), 1);

    // Algorithm confusion: an HS256 token is never checked against JWKS
    // keys; with no HS256 secret configured it is refused outright.
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims_for(&config, Uuid::now_v7(), Uuid::now_v7(), &[], 60),
        &EncodingKey::from_secret(b"anything-anything-anything-anything"),
    )
    .expect("sign");
    assert!(verifier.verify(&hs).await.is_err());

    // An unreachable JWKS URL refuses tokens instead of hanging.
    let down = AuthConfig { jwks_url: Some("http://127.0.0.1:9/jwks.json".into()), ..AuthConfig::default() };
    let err = TokenVerifier::new(&down).verify(&signer.sign(&down)).await.expect_err("refused");
    assert_eq!(err.client_message(), "invalid token");
}
