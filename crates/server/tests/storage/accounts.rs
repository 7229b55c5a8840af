//! Accounts and their tokens on both backends, with two nodes (two stores on one
//! database) racing where a rule must hold under concurrency: one account per
//! e-mail, one successor per refresh token, one use per setup link, one first
//! signing key.

use crate::support::*;
use steward::auth::Signer;
use steward::store::{Account, RefreshRefusal, Store, StoreError, REFRESH_TOKEN_SECONDS};

crate::on_both_backends!(
    a_second_account_for_an_email_is_refused,
    a_refresh_token_rotates_into_a_new_one,
    a_reused_refresh_token_revokes_its_family,
    logout_and_account_revocation_end_refresh_tokens,
    of_two_concurrent_rotations_exactly_one_succeeds,
    a_setup_token_works_once,
    nodes_starting_together_share_one_signing_key,
);

const NOW: i64 = 1_800_000_000;
const ROUNDS: usize = 30;

fn account(id: &str, email: &str) -> Account {
    Account {
        id: id.into(),
        email: email.into(),
        name: format!("{id} name"),
        password_hash: None,
        created_at: NOW,
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
    // A stolen copy of `first` is replayed: the family ends, the legitimate
    // holder's `second` with it.
    assert_eq!(
        two.rotate_refresh_token(&first, NOW + 2).await.unwrap(),
        Err(RefreshRefusal::Reused)
    );
    // `second` was never used: it is revoked, not reused.
    assert_eq!(
        one.rotate_refresh_token(&second, NOW + 3).await.unwrap(),
        Err(RefreshRefusal::Revoked)
    );
    // Another login of the same account is another family.
    assert!(one
        .rotate_refresh_token(&other_login, NOW + 4)
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

async fn of_two_concurrent_rotations_exactly_one_succeeds(backend: Backend) {
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
        let winner = match (&a, &b) {
            (Ok((_, next)), Err(RefreshRefusal::Reused))
            | (Err(RefreshRefusal::Reused), Ok((_, next))) => next.clone(),
            other => panic!("round {i}: {other:?}"),
        };
        // The loser replayed a used token, so the winner's successor is revoked too.
        assert_eq!(
            one.rotate_refresh_token(&winner, NOW + 2).await.unwrap(),
            Err(RefreshRefusal::Revoked),
            "round {i}"
        );
    }
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
    let kid = signers[0].signing_kid().to_string();
    assert!(signers.iter().all(|s| s.signing_kid() == kid));
    assert_eq!(stores[0].signing_keys().await.unwrap().len(), 1);
}

async fn futures_join3(stores: &[Store; 3]) -> [Signer; 3] {
    let (a, b, c) = tokio::join!(
        Signer::load_or_create(&stores[0], NOW),
        Signer::load_or_create(&stores[1], NOW),
        Signer::load_or_create(&stores[2], NOW),
    );
    [a.unwrap(), b.unwrap(), c.unwrap()]
}
