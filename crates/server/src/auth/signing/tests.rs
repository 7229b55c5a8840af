//! The signer's round trips, refusals, golden bytes and rotation.

use super::*;
use crate::store::temp_store;

const NOW: i64 = 1_800_000_000;

fn identity() -> TokenIdentity {
    TokenIdentity::new("https://steward.example/", DEFAULT_TOKEN_AUDIENCE)
}

fn claims(now: i64) -> AccessClaims {
    AccessClaims {
        iss: "https://steward.example".into(),
        sub: "acc_1".into(),
        aud: "steward".into(),
        org: BTreeMap::from([("acme".to_string(), "admin".to_string())]),
        iat: now,
        exp: now + ACCESS_TOKEN_SECONDS,
        jti: "jti_1".into(),
    }
}

async fn signer(store: &Store, now: i64) -> Signer {
    Signer::load_or_create(store, identity(), now)
        .await
        .unwrap()
}

fn signer_of(rows: &[SigningKeyRow]) -> Signer {
    Signer {
        identity: Arc::new(identity()),
        keys: Arc::new(RwLock::new(Arc::new(Keys::from_rows(rows).unwrap()))),
    }
}

fn kid(signer: &Signer) -> String {
    signer.signing_kid(NOW).unwrap()
}

#[tokio::test]
async fn a_token_round_trips_until_it_expires() {
    let (_dir, store) = temp_store().await;
    let signer = signer(&store, NOW).await;
    let token = signer.issue(&claims(NOW)).unwrap();
    assert_eq!(signer.verify(&token, NOW), Ok(claims(NOW)));
    assert_eq!(
        signer.verify(&token, NOW + ACCESS_TOKEN_SECONDS - 1),
        Ok(claims(NOW))
    );
    assert_eq!(
        signer.verify(&token, NOW + ACCESS_TOKEN_SECONDS),
        Err(TokenError::Expired)
    );
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid, Some(kid(&signer)));
}

#[tokio::test]
async fn a_token_for_another_issuer_or_audience_is_refused() {
    let (_dir, store) = temp_store().await;
    let signer = signer(&store, NOW).await;
    let mut other_issuer = claims(NOW);
    other_issuer.iss = "https://elsewhere.example".into();
    let token = signer.issue(&other_issuer).unwrap();
    assert_eq!(signer.verify(&token, NOW), Err(TokenError::WrongIssuer));
    let mut other_audience = claims(NOW);
    other_audience.aud = "billing".into();
    let token = signer.issue(&other_audience).unwrap();
    assert_eq!(signer.verify(&token, NOW), Err(TokenError::WrongAudience));
}

#[tokio::test]
async fn a_tampered_payload_fails_the_signature() {
    let (_dir, store) = temp_store().await;
    let signer = signer(&store, NOW).await;
    let token = signer.issue(&claims(NOW)).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let mut forged = claims(NOW);
    forged.org.insert("acme".into(), "owner".into());
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
    let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
    assert_eq!(signer.verify(&tampered, NOW), Err(TokenError::BadSignature));
}

#[tokio::test]
async fn another_installations_token_is_refused() {
    let (_dir, store) = temp_store().await;
    let (_other_dir, other_store) = temp_store().await;
    let signer = signer(&store, NOW).await;
    let other = super::tests::signer(&other_store, NOW).await;
    let token = other.issue(&claims(NOW)).unwrap();
    assert_eq!(signer.verify(&token, NOW), Err(TokenError::UnknownKey));
    // Even when it claims one of our key ids.
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid(&signer));
    let others = other.current();
    let posing = jsonwebtoken::encode(&header, &claims(NOW), &others.0[0].signing).unwrap();
    assert_eq!(signer.verify(&posing, NOW), Err(TokenError::BadSignature));
}

#[tokio::test]
async fn garbage_is_malformed_and_other_algorithms_are_refused() {
    let (_dir, store) = temp_store().await;
    let signer = signer(&store, NOW).await;
    for garbage in ["", "abc", "a.b.c", "....", "eyJhbGciOiJFZERTQSJ9.e30"] {
        assert_eq!(
            signer.verify(garbage, NOW),
            Err(TokenError::Malformed),
            "{garbage:?}"
        );
    }
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid(&signer));
    let hmac = jsonwebtoken::encode(
        &header,
        &claims(NOW),
        &EncodingKey::from_secret(b"public key bytes").unwrap(),
    )
    .unwrap();
    assert_eq!(signer.verify(&hmac, NOW), Err(TokenError::BadSignature));
}

#[tokio::test]
async fn the_jwks_verifies_our_tokens() {
    let (_dir, store) = temp_store().await;
    let signer = signer(&store, NOW).await;
    let token = signer.issue(&claims(NOW)).unwrap();
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_value(signer.jwks(NOW)).unwrap();
    assert_eq!(jwks.keys.len(), 1);
    let jwk = &jwks.keys[0];
    assert_eq!(jwk.common.key_id, Some(kid(&signer)));
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_exp = false;
    validation.set_issuer(&["https://steward.example"]);
    validation.set_audience(&["steward"]);
    let data = jsonwebtoken::decode::<AccessClaims>(&token, &key, &validation).unwrap();
    assert_eq!(data.claims, claims(NOW));
}

#[tokio::test]
async fn every_load_on_one_database_uses_the_same_key() {
    let (_dir, store) = temp_store().await;
    let (a, b) = tokio::join!(signer(&store, NOW), signer(&store, NOW + 1));
    assert_eq!(kid(&a), kid(&b));
    assert_eq!(store.signing_keys(NOW).await.unwrap().len(), 1);
    let token = a.issue(&claims(NOW)).unwrap();
    assert_eq!(b.verify(&token, NOW), Ok(claims(NOW)));
    let again = signer(&store, NOW + 100).await;
    assert_eq!(kid(&again), kid(&a));
    assert_eq!(again.jwks(NOW), a.jwks(NOW));
}

#[tokio::test]
async fn a_rotated_in_key_is_published_before_it_signs_and_the_old_one_until_its_tokens_expire() {
    let (_dir, store) = temp_store().await;
    let node = signer(&store, NOW).await;
    let old_kid = kid(&node);
    let old_token = node.issue(&claims(NOW)).unwrap();

    let rows = rotate(&store, NOW + 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    let new_kid = rows[1].id.clone();
    let turn = NOW + 10 + KEY_PUBLISH_SECONDS;
    let dropped = turn + ACCESS_TOKEN_SECONDS + KEY_RETIRE_GRACE_SECONDS;
    assert_eq!(rows[0].retiring_at, Some(dropped));
    assert_eq!((rows[1].signs_from, rows[1].retiring_at), (turn, None));

    // Until it reloads, the node knows only the old key; after, it publishes
    // both but signs with the old one until the new one's turn.
    assert_eq!(node.jwks(NOW + 10)["keys"].as_array().unwrap().len(), 1);
    node.reload(&store, NOW + 11).await.unwrap();
    assert_eq!(node.jwks(NOW + 11)["keys"].as_array().unwrap().len(), 2);
    assert_eq!(node.signing_kid(turn - 1), Some(old_kid.clone()));
    assert_eq!(node.signing_kid(turn), Some(new_kid.clone()));
    let new_token = node.issue(&claims(turn)).unwrap();
    let header = jsonwebtoken::decode_header(&new_token).unwrap();
    assert_eq!(header.kid, Some(new_kid));

    // The old key's last token expires before it leaves.
    let last_old = node.issue(&claims(turn - 1)).unwrap();
    assert_eq!(node.verify(&old_token, NOW + 11), Ok(claims(NOW)));
    let last_exp = turn - 1 + ACCESS_TOKEN_SECONDS;
    assert_eq!(node.verify(&last_old, last_exp - 1), Ok(claims(turn - 1)));
    assert!(last_exp < dropped);
    assert_eq!(node.jwks(dropped)["keys"].as_array().unwrap().len(), 1);
    assert_eq!(node.verify(&last_old, dropped), Err(TokenError::UnknownKey));

    // The next rotation deletes it.
    let rows = rotate(&store, dropped).await.unwrap();
    assert!(rows.iter().all(|r| r.id != old_kid));
    assert_eq!(rows.len(), 2);
}

#[tokio::test]
async fn the_newest_key_signs_and_older_ones_still_verify() {
    let (_dir, store) = temp_store().await;
    let old = signer(&store, NOW).await;
    let old_token = old.issue(&claims(NOW)).unwrap();
    let mut rows = store.signing_keys(NOW).await.unwrap();
    rows.push(generate_key(NOW + 10, NOW + 10).unwrap());
    let signer = signer_of(&rows);
    assert_eq!(signer.signing_kid(NOW + 10), Some(rows[1].id.clone()));
    assert_eq!(signer.verify(&old_token, NOW), Ok(claims(NOW)));
    assert_eq!(signer.jwks(NOW)["keys"].as_array().unwrap().len(), 2);
}

/// A key and a token made by an earlier release (jsonwebtoken 9 with ring):
/// keys in existing databases keep signing, and (Ed25519 being deterministic)
/// the same claims give the same bytes, pinned here from the release that
/// added `iss` and `aud`.
const GOLDEN_KEY: &str = "MFECAQEwBQYDK2VwBCIEIHwjL/cjLafDcEXI/fSXNs3QXkuwFy/eYEvj3VX9/YvTgSEAyZX8PLSCXbXaxE4lLMnygLyZMPZbIb+Vc6k5/QuA950=";
const GOLDEN_PUBLIC: &str = "yZX8PLSCXbXaxE4lLMnygLyZMPZbIb-Vc6k5_QuA950";
/// Made before tokens carried `iss` and `aud`: still a valid signature, now
/// refused as from another issuer (clients refresh, as after any expiry).
const GOLDEN_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFZERTQSIsImtpZCI6ImtleV9nb2xkZW4ifQ.eyJzdWIiOiJ1c3JfZ29sZGVuIiwib3JnIjp7Im9yZ19hIjoib3duZXIiLCJvcmdfYiI6InZpZXdlciJ9LCJpYXQiOjE4MDAwMDAwMDAsImV4cCI6MTgwMDAwMDkwMCwianRpIjoianRpX2dvbGRlbiJ9.5JmGKIQG0Dxc1obA2LjYj28zZSlwYjCds43Y4B508D5M7h1G9pvQPOSXWc7xCp2pxq83R38O7nzTKo2T00BRDw";
/// The same claims with `iss` and `aud`, as this release signs them.
const GOLDEN_TOKEN_WITH_ISSUER: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFZERTQSIsImtpZCI6ImtleV9nb2xkZW4ifQ.eyJpc3MiOiJodHRwczovL3N0ZXdhcmQuZXhhbXBsZSIsInN1YiI6InVzcl9nb2xkZW4iLCJhdWQiOiJzdGV3YXJkIiwib3JnIjp7Im9yZ19hIjoib3duZXIiLCJvcmdfYiI6InZpZXdlciJ9LCJpYXQiOjE4MDAwMDAwMDAsImV4cCI6MTgwMDAwMDkwMCwianRpIjoianRpX2dvbGRlbiJ9.X9hvmNS6POMj1p0yp_ramnql6mrxdEyLLzy7CrdaNZ9ZFAxV6DkXHzykwCcQ4I2aJkprNBh30TLT9J4tcOaxDA";

#[test]
fn a_key_from_an_earlier_release_keeps_signing_and_its_tokens_without_an_issuer_are_refused() {
    let signer = signer_of(&[SigningKeyRow {
        id: "key_golden".into(),
        private_der: GOLDEN_KEY.into(),
        public_key: GOLDEN_PUBLIC.into(),
        created_at: NOW,
        signs_from: NOW,
        retiring_at: None,
    }]);
    let claims = AccessClaims {
        iss: "https://steward.example".into(),
        sub: "usr_golden".into(),
        aud: "steward".into(),
        org: BTreeMap::from([
            ("org_a".to_string(), "owner".to_string()),
            ("org_b".to_string(), "viewer".to_string()),
        ]),
        iat: NOW,
        exp: NOW + ACCESS_TOKEN_SECONDS,
        jti: "jti_golden".into(),
    };
    assert_eq!(signer.issue(&claims).unwrap(), GOLDEN_TOKEN_WITH_ISSUER);
    assert_eq!(signer.verify(GOLDEN_TOKEN_WITH_ISSUER, NOW), Ok(claims));
    assert_eq!(
        signer.verify(GOLDEN_TOKEN, NOW),
        Err(TokenError::WrongIssuer)
    );
}

#[test]
fn debug_hides_the_private_key() {
    let row = generate_key(NOW, NOW).unwrap();
    let shown = format!("{row:?}");
    assert!(!shown.contains(&row.private_der));
    let signer = signer_of(&[row]);
    assert!(!format!("{signer:?}").contains("private"));
}
