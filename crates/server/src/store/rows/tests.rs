use crate::service::Service;
use steward_core::{Actor, Command, Email, Name, ObjectId, OrgId, Policy, UserId};

#[tokio::test]
async fn a_renamed_and_moved_object_is_stored_as_it_is_held() {
    let (_dir, store) = crate::store::temp_store().await;
    let svc = Service::open(store.clone(), Policy::preset("analytics").unwrap())
        .await
        .unwrap();
    let owner = Actor::User(UserId::parse("owner").unwrap());
    let org = OrgId::parse("acme").unwrap();
    let create = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Acme").unwrap(),
        owner_id: UserId::parse("owner").unwrap(),
        owner_email: Email::parse("owner@acme.test").unwrap(),
        owner_name: Name::parse("Owner").unwrap(),
    };
    svc.create_organization(&owner, create).await.unwrap();
    let id = |s: &str| ObjectId::parse(s).unwrap();
    let object = |o: &str, ty: &str, parent: Option<&str>| Command::CreateObject {
        object_id: id(o),
        object_type: ty.into(),
        name: Name::parse(o).unwrap(),
        parent_id: parent.map(id),
        owner_id: None,
    };
    for command in [
        object("p1", "project", None),
        object("p2", "project", None),
        object("q1", "question", Some("p1")),
        Command::RenameObject {
            object_id: id("p1"),
            name: Name::parse("Churn").unwrap(),
        },
        Command::MoveObject {
            object_id: id("q1"),
            parent_id: Some(id("p2")),
        },
    ] {
        svc.execute(&org, &owner, command).await.unwrap();
    }
    let held = svc.read(&org, |state| state.clone()).await.unwrap();
    let (stored, _) = store.load_org(&org).await.unwrap();
    assert_eq!(stored, held);
    let q1 = stored.object(&id("q1")).unwrap();
    assert_eq!(q1.parent.as_ref().unwrap().as_str(), "p2");
    assert_eq!(stored.object(&id("p1")).unwrap().name.as_str(), "Churn");
}
