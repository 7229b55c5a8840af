//! What the caller may do to objects: create one of each type (and where),
//! rename, move (and where to), delete, open the Permissions dialog. Each is
//! decided by a dry run of the command itself through core's `decide`, so the
//! console offers only what the server would accept, with the refusal to show.

use super::may_not_share;
use crate::application::{AppError, InOrg, Steward};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use steward_core::decide::share_refusal;
use steward_core::policy::ORGANIZATION;
use steward_core::{decide, Actor, Command, Name, ObjectId, Policy, Refusal, State, Timestamp};

/// How many candidate parents a form lists at most: a longer list is no use in
/// a dropdown, and each is a dry run.
const MAX_PLACES: usize = 200;

/// What the caller may do to one object; `None` is "may", else why not.
pub struct ObjectOffers {
    pub id: ObjectId,
    pub rename: Option<Refusal>,
    pub delete: Option<Refusal>,
    pub share: Option<AppError>,
    /// Whether objects of its type sit under another object (and so may move).
    pub movable: bool,
    /// The other parents it may move under: (id, name).
    pub move_to: Vec<(String, String)>,
    /// Why it may move nowhere, when it is movable and may not.
    pub unmovable: Option<Refusal>,
    /// What goes with it when it is deleted: (type label, count), by type.
    pub inside: Vec<(String, usize)>,
}

/// A type the caller may create objects of, or why not.
pub struct Creatable {
    pub object_type: String,
    pub label: String,
    /// Whether it sits at the top (under the organization).
    pub top_level: bool,
    /// Where one may be created, for a type that sits under another object.
    pub parents: Vec<(String, String)>,
    /// Why none may be created anywhere.
    pub refusal: Option<Refusal>,
}

/// The objects of one type a form lists: (id, name).
type Places = Rc<Vec<(ObjectId, String)>>;

struct Probe<'a> {
    policy: &'a Policy,
    state: &'a State,
    actor: Actor,
    now: Timestamp,
    /// The places of each type, found once per read (a page asks for the same
    /// type's places on every row).
    places: RefCell<HashMap<usize, Places>>,
}

impl Probe<'_> {
    fn refusal(&self, command: Command) -> Option<Refusal> {
        decide(self.policy, self.state, &self.actor, command, self.now).err()
    }

    /// The visible objects of type `ty` (up to `MAX_PLACES`).
    fn places(&self, org: &InOrg, ty: usize) -> Places {
        if let Some(found) = self.places.borrow().get(&ty) {
            return found.clone();
        }
        let name = &self.policy.types[ty].name;
        let found: Places = Rc::new(
            self.state
                .objects()
                .filter(|o| &o.object_type == name && org.sees(o.id.as_str()))
                .take(MAX_PLACES)
                .map(|o| (o.id.clone(), o.name.to_string()))
                .collect(),
        );
        self.places.borrow_mut().insert(ty, found.clone());
        found
    }

    fn offers(&self, org: &InOrg, id: &ObjectId) -> Option<ObjectOffers> {
        let o = self.state.object(id)?;
        let p = self.policy;
        let parent_type = p
            .type_index(&o.object_type)
            .and_then(|t| p.object_type(t).parent)
            .filter(|&t| t != ORGANIZATION);
        let mut move_to = Vec::new();
        let mut unmovable = None;
        if let Some(pt) = parent_type {
            for (place, name) in self.places(org, pt as usize).iter() {
                if Some(place) == o.parent.as_ref() {
                    continue;
                }
                let probe = Command::MoveObject {
                    object_id: id.clone(),
                    parent_id: Some(place.clone()),
                };
                match self.refusal(probe) {
                    None => move_to.push((place.to_string(), name.clone())),
                    Some(r) => unmovable = unmovable.or(Some(r)),
                }
            }
            if move_to.is_empty() {
                unmovable = Some(unmovable.unwrap_or_else(|| Refusal::InvalidParent {
                    object_type: o.object_type.to_string(),
                    expected: "there is no other place of its kind".to_string(),
                }));
            } else {
                unmovable = None;
            }
        }
        let mut inside: Vec<(String, usize)> = Vec::new();
        for d in self.state.subtree(id).into_iter().skip(1) {
            let label = p.type_index(&d.object_type).map_or_else(
                || d.object_type.to_string(),
                |t| p.object_type(t).label.clone(),
            );
            match inside.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => inside.push((label, 1)),
            }
        }
        Some(ObjectOffers {
            id: id.clone(),
            rename: self.refusal(Command::RenameObject {
                object_id: id.clone(),
                name: o.name.clone(),
            }),
            delete: self.refusal(Command::DeleteObject {
                object_id: id.clone(),
            }),
            share: share_refusal(p, self.state, &self.actor, id).map(|r| match r {
                Refusal::NotPermitted => may_not_share(p, &o.object_type).into(),
                other => other.into(),
            }),
            movable: parent_type.is_some(),
            move_to,
            unmovable,
            inside,
        })
    }

    fn creatable(&self, org: &InOrg, ty: usize) -> Option<Creatable> {
        let p = self.policy;
        let t = &p.types[ty];
        let probe_id = ObjectId::parse("steward-probe").ok()?;
        let name = Name::parse("probe").ok()?;
        let create = |parent_id: Option<ObjectId>| Command::CreateObject {
            object_id: probe_id.clone(),
            object_type: t.name.clone(),
            name: name.clone(),
            parent_id,
            owner_id: None,
        };
        let parent_type = t.parent.filter(|&pt| pt != ORGANIZATION);
        let (parents, refusal) = match parent_type {
            None => (Vec::new(), self.refusal(create(None))),
            Some(pt) => {
                let mut parents = Vec::new();
                let mut refusal = None;
                for (place, pname) in self.places(org, pt as usize).iter() {
                    match self.refusal(create(Some(place.clone()))) {
                        None => parents.push((place.to_string(), pname.clone())),
                        Some(r) => refusal = refusal.or(Some(r)),
                    }
                }
                let refusal = parents.is_empty().then(|| {
                    refusal.unwrap_or_else(|| Refusal::InvalidParent {
                        object_type: t.name.clone(),
                        expected: format!(
                            "it belongs under a {}, and there is none yet",
                            p.object_type(pt).label.to_lowercase()
                        ),
                    })
                });
                (parents, refusal)
            }
        };
        Some(Creatable {
            object_type: t.name.clone(),
            label: t.label.clone(),
            top_level: parent_type.is_none(),
            parents,
            refusal,
        })
    }
}

impl Steward {
    /// What the caller may do to each of `ids` (those that exist).
    pub async fn object_offers(
        &self,
        org: &InOrg,
        ids: &[ObjectId],
    ) -> Result<Vec<ObjectOffers>, AppError> {
        let actor = org.actor()?;
        let policy = self.service().policy().clone();
        let now = self.service().clock().now();
        let offers = self
            .service()
            .read(&org.org, |state| {
                let probe = Probe {
                    policy: &policy,
                    state,
                    actor,
                    now,
                    places: RefCell::default(),
                };
                ids.iter().filter_map(|id| probe.offers(org, id)).collect()
            })
            .await?;
        Ok(offers)
    }

    /// Every type of the policy but the organization, with where the caller
    /// may create one, or why nowhere.
    pub async fn creatable_types(&self, org: &InOrg) -> Result<Vec<Creatable>, AppError> {
        let actor = org.actor()?;
        let policy = self.service().policy().clone();
        let now = self.service().clock().now();
        let types = self
            .service()
            .read(&org.org, |state| {
                let probe = Probe {
                    policy: &policy,
                    state,
                    actor,
                    now,
                    places: RefCell::default(),
                };
                (1..policy.types.len())
                    .filter_map(|t| probe.creatable(org, t))
                    .collect()
            })
            .await?;
        Ok(types)
    }
}
