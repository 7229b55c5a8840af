//! Accounts and their tokens on both backends, with two nodes (two stores on one
//! database) racing where a rule must hold under concurrency: one account per
//! e-mail, one successor per refresh token (the same for a retry within the
//! grace period), one use per setup link, one first signing key.

use crate::support::*;
use steward::auth::signing;
use steward::auth::{
    AccessClaims, Signer, TokenIdentity, ACCESS_TOKEN_SECONDS, KEY_PUBLISH_SECONDS,
};
use steward::store::{
    Account, RefreshRefusal, Store, StoreError, REFRESH_RETRY_GRACE_SECONDS, REFRESH_TOKEN_SECONDS,
};
use steward_core::{Email, Name, Timestamp, UserId};

crate::on_both_backends!(
    a_second_account_for_an_email_is_refused,
    a_refresh_token_rotates_into_a_new_one,
    a_reused_refresh_token_revokes_its_family,
    logout_and_account_revocation_end_refresh_tokens,
    two_concurrent_rotations_get_the_same_successor,
    a_retry_within_the_grace_period_gets_the_same_successor,
    a_revoked_family_stays_refused_within_the_grace_period,
    a_setup_token_works_once,
    nodes_starting_together_share_one_signing_key,
    a_rotation_reaches_every_node_and_concurrent_ones_leave_one_signing_key,
);

const NOW: i64 = 1_800_000_000;
const ROUNDS: usize = 30;

fn account(id: &str, email: &str) -> Account {
    Account {
        id: UserId::parse(id).unwrap(),
        email: Email::parse(email).unwrap(),
        name: Name::parse(&format!("{id} name")).unwrap(),
        password_hash: None,
        created_at: Timestamp(NOW),
    }
}

/// A database with one account, and two stores (nodes) on it.
async fn two_nodes(backend: Backend) -> (TestDb, Store, Store) {
    let db = TestDb::new(backend).await;
    let one = db.store().await;
    let two = db.store().await;
    one.create_account(&account("acc_ann", "ann@acme.test"))
        .await
        .unwrap();
    (db, one, two)
}

async fn a_second_account_for_an_email_is_refused(backend: Backend) {
    let (_db, one, two) = two_nodes(backend).await;
    assert!(matches!(
        two.create_account(&account("acc_other", "ann@acme.test"))
            .await,
        Err(StoreError::DuplicateEmail)
    ));
    // At the same moment on two nodes: the unique index decides, and the loser
    // still hears DuplicateEmail rather than a database error.
    for i in 0..ROUNDS {
        let email = format!("race{i}@acme.test");
        let (first, second) = (
            account(&format!("acc_a{i}"), &email),
            account(&format!("acc_b{i}"), &email),
        );
        let (a, b) = tokio::join!(one.create_account(&first), two.create_account(&second));
        match (a, b) {
            (Ok(()), Err(StoreError::DuplicateEmail))
            | (Err(StoreError::DuplicateEmail), Ok(())) => {}
            other => panic!("round {i}: {other:?}"),
        }
    }
}

async fn a_refresh_token_rotates_into_a_new_one(backend: Backend) {
    let (_db, one, two) = two_nodes(backend).await;
    let first = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
    assert!(first.starts_with("stw_rt_"));
    let (account, second) = two
        .rotate_refresh_token(&first, NOW + 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account, "acc_ann");
    assert_ne!(second, first);
    // Each rotation renews the 30 days.
    let (_, third) = one
        .rotate_refresh_token(&second, NOW + REFRESH_TOKEN_SECONDS)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        one.rotate_refresh_token(&third, NOW + 2 * REFRESH_TOKEN_SECONDS)
            .await
            .unwrap(),
        Err(RefreshRefusal::Expired)
    );
    assert_eq!(
        one.rotate_refresh_token("stw_rt_unknown", NOW)
            .await
            .unwrap(),
        Err(RefreshRefusal::Unknown)
    );
}

async fn a_reused_refresh_token_revokes_its_family(backend: Backend) {
    let (_db, one, two) = two_nodes(backend).await;
    let other_login = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
    let first = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
    let (_, second) = one
        .rotate_refresh_token(&first, NOW + 1)
        .await
        .unwrap()
        .unwrap();
    // A stolen copy of `first` is replayed after the grace period: the family
    // ends, the legitimate holder's `second` with it.
    let later = NOW + 1 + REFRESH_RETRY_GRACE_SECONDS;
    assert_eq!(
        two.rotate_refresh_token(&first, later).await.unwrap(),
        Err(RefreshRefusal::Reused)
    );
    // `second` was never used: it is revoked, not reused.
    assert_eq!(
        one.rotate_refresh_token(&second, later + 1).await.unwrap(),
        Err(RefreshRefusal::Revoked)
    );
    // Another login of the same account is another family.
    assert!(one
        .rotate_refresh_token(&other_login, later + 2)
        .await
        .unwrap()
        .is_ok());
}

async fn logout_and_account_revocation_end_refresh_tokens(backend: Backend) {
    let (_db, one, two) = two_nodes(backend).await;
    let first = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
    let (_, second) = one
        .rotate_refresh_token(&first, NOW + 1)
        .await
        .unwrap()
        .unwrap();
    assert!(two.revoke_refresh_family(&second, NOW + 2).await.unwrap());
    assert!(!two
        .revoke_refresh_family("stw_rt_unknown", NOW)
        .await
        .unwrap());
    assert_eq!(
        one.rotate_refresh_token(&second, NOW + 3).await.unwrap(),
        Err(RefreshRefusal::Revoked)
    );
    // The used one is still a replay.
    assert_eq!(
        one.rotate_refresh_token(&first, NOW + 3).await.unwrap(),
        Err(RefreshRefusal::Reused)
    );

    let a = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
    let b = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
    assert_eq!(
        two.revoke_account_refresh_tokens("acc_ann", NOW + 5)
            .await
            .unwrap(),
        2
    );
    for t in [a, b] {
        assert_eq!(
            one.rotate_refresh_token(&t, NOW + 6).await.unwrap(),
            Err(RefreshRefusal::Revoked)
        );
    }
}

/// A client that retries a refresh (or sends two at once) on two nodes: both
/// answers carry the one successor, and the family lives on.
async fn two_concurrent_rotations_get_the_same_successor(backend: Backend) {
    let (_db, one, two) = two_nodes(backend).await;
    for i in 0..ROUNDS {
        let token = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
        let (a, b) = tokio::join!(
            tokio::spawn({
                let (store, token) = (one.clone(), token.clone());
                async move { store.rotate_refresh_token(&token, NOW + 1).await.unwrap() }
            }),
            tokio::spawn({
                let (store, token) = (two.clone(), token.clone());
                async move { store.rotate_refresh_token(&token, NOW + 1).await.unwrap() }
            }),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let next = match (a, b) {
            (Ok(a), Ok(b)) if a == b => a.1,
            other => panic!("round {i}: {other:?}"),
        };
        assert!(
            one.rotate_refresh_token(&next, NOW + 2)
                .await
                .unwrap()
                .is_ok(),
            "round {i}"
        );
    }
}

async fn a_retry_within_the_grace_period_gets_the_same_successor(backend: Backend) {
    let (_db, one, two) = two_nodes(backend).await;
    let first = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
    let (_, second) = one
        .rotate_refresh_token(&first, NOW)
        .await
        .unwrap()
        .unwrap();
    let last_second = NOW + REFRESH_RETRY_GRACE_SECONDS - 1;
    for at in [NOW, NOW + 1, last_second] {
        assert_eq!(
            two.rotate_refresh_token(&first, at).await.unwrap(),
            Ok(("acc_ann".to_string(), second.clone())),
            "a retry {} s later",
            at - NOW
        );
    }
    // The successor is used; a retry of `first` still answers it.
    let (_, third) = one
        .rotate_refresh_token(&second, last_second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        two.rotate_refresh_token(&first, last_second)
            .await
            .unwrap()
            .map(|(_, next)| next),
        Ok(second.clone())
    );
    // Past the grace period `first` is a replay: the family ends.
    assert_eq!(
        two.rotate_refresh_token(&first, NOW + REFRESH_RETRY_GRACE_SECONDS)
            .await
            .unwrap(),
        Err(RefreshRefusal::Reused)
    );
    for token in [&second, &third] {
        assert!(
            one.rotate_refresh_token(token, last_second)
                .await
                .unwrap()
                .is_err(),
            "the family is revoked"
        );
    }
    assert_eq!(
        one.rotate_refresh_token(&third, last_second).await.unwrap(),
        Err(RefreshRefusal::Revoked)
    );
}

/// Logout, a replay or the account's revocation ends the family; a retry within
/// the grace period does not bring its successor back.
async fn a_revoked_family_stays_refused_within_the_grace_period(backend: Backend) {
    let (_db, one, two) = two_nodes(backend).await;
    let by_logout = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
    let (_, next) = one
        .rotate_refresh_token(&by_logout, NOW)
        .await
        .unwrap()
        .unwrap();
    assert!(one.revoke_refresh_family(&next, NOW + 1).await.unwrap());
    assert!(two
        .rotate_refresh_token(&by_logout, NOW + 2)
        .await
        .unwrap()
        .is_err());

    let by_account = one.issue_refresh_token("acc_ann", NOW).await.unwrap();
    one.rotate_refresh_token(&by_account, NOW)
        .await
        .unwrap()
        .unwrap();
    two.revoke_account_refresh_tokens("acc_ann", NOW + 1)
        .await
        .unwrap();
    assert!(one
        .rotate_refresh_token(&by_account, NOW + 2)
        .await
        .unwrap()
        .is_err());
}

async fn a_setup_token_works_once(backend: Backend) {
    let (_db, one, two) = two_nodes(backend).await;
    let secret = one
        .create_setup_token("acc_ann", NOW, NOW + 3600)
        .await
        .unwrap();
    assert!(secret.starts_with("stw_setup_"));
    assert_eq!(
        two.take_setup_token(&secret, NOW + 1)
            .await
            .unwrap()
            .as_deref(),
        Some("acc_ann")
    );
    assert_eq!(one.take_setup_token(&secret, NOW + 2).await.unwrap(), None);

    let expired = one
        .create_setup_token("acc_ann", NOW, NOW + 10)
        .await
        .unwrap();
    assert_eq!(
        one.take_setup_token(&expired, NOW + 10).await.unwrap(),
        None
    );

    for i in 0..ROUNDS {
        let secret = one
            .create_setup_token("acc_ann", NOW, NOW + 3600)
            .await
            .unwrap();
        let (a, b) = tokio::join!(
            one.take_setup_token(&secret, NOW + 1),
            two.take_setup_token(&secret, NOW + 1),
        );
        let taken = [a.unwrap(), b.unwrap()];
        assert_eq!(taken.iter().flatten().count(), 1, "round {i}: {taken:?}");
    }
}

async fn nodes_starting_together_share_one_signing_key(backend: Backend) {
    let db = TestDb::new(backend).await;
    let stores = [db.store().await, db.store().await, db.store().await];
    let signers = futures_join3(&stores).await;
    let kid = signers[0].signing_kid(NOW);
    assert!(kid.is_some());
    assert!(signers.iter().all(|s| s.signing_kid(NOW) == kid));
    assert_eq!(stores[0].signing_keys(NOW).await.unwrap().len(), 1);
}

async fn a_rotation_reaches_every_node_and_concurrent_ones_leave_one_signing_key(backend: Backend) {
    let db = TestDb::new(backend).await;
    let stores = [db.store().await, db.store().await, db.store().await];
    let [one, two, _] = futures_join3(&stores).await;
    let old = one.signing_kid(NOW).unwrap();
    // Two operators rotate at once: one key ends up live, the others retiring.
    let (a, b) = tokio::join!(
        signing::rotate(&stores[1], NOW + 1),
        signing::rotate(&stores[2], NOW + 1)
    );
    a.unwrap();
    b.unwrap();
    let rows = stores[0].signing_keys(NOW + 1).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.iter().filter(|r| r.retiring_at.is_none()).count(), 1);
    let next = rows
        .iter()
        .find(|r| r.retiring_at.is_none())
        .unwrap()
        .id
        .clone();

    for node in [&one, &two] {
        node.reload(&stores[0], NOW + 2).await.unwrap();
    }
    let turn = NOW + 1 + KEY_PUBLISH_SECONDS;
    assert_eq!(one.signing_kid(turn - 1), Some(old));
    assert_eq!(one.signing_kid(turn), Some(next.clone()));
    assert_eq!(two.signing_kid(turn), Some(next));
    let claims = AccessClaims {
        iss: "http://steward.test".into(),
        sub: "usr_ann".into(),
        aud: "steward".into(),
        org: Default::default(),
        iat: turn,
        exp: turn + ACCESS_TOKEN_SECONDS,
        jti: "jti_1".into(),
    };
    let token = one.issue(&claims).unwrap();
    assert_eq!(two.verify(&token, turn), Ok(claims));
}

fn identity() -> TokenIdentity {
    TokenIdentity::new("http://steward.test", "steward")
}

async fn futures_join3(stores: &[Store; 3]) -> [Signer; 3] {
    let (a, b, c) = tokio::join!(
        Signer::load_or_create(&stores[0], identity(), NOW),
        Signer::load_or_create(&stores[1], identity(), NOW),
        Signer::load_or_create(&stores[2], identity(), NOW),
    );
    [a.unwrap(), b.unwrap(), c.unwrap()]
}
