//! `/scim/v2/{org}/Users`: list (filter, paging, attributes), read, create,
//! replace (PUT), PATCH (applied to the resource as read, then stored as a PUT)
//! and delete, over application/provisioning/users.rs.

use super::{
    check_version, list_answer, patch, project, resource_answer, resources, Dir, Params, ScimBody,
    ScimError,
};
use crate::application::Application;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

type Ids = Path<(String, String)>;

pub(super) async fn list(
    State(app): State<Application>,
    dir: Dir,
    Query(params): Query<Params>,
) -> Result<Response, ScimError> {
    // A directory looks a person up by userName before each create: answered
    // from the index, not by reading everyone; the filter still decides.
    let users = match params
        .get("filter")
        .and_then(|f| super::filter::user_name_eq(f))
    {
        Some(name) => {
            app.steward
                .provisioned_users_named(&dir.directory, &name)
                .await?
        }
        None => app.steward.provisioned_users(&dir.directory).await?,
    };
    let rendered = users
        .iter()
        .map(|u| resources::user(u, &dir.base))
        .collect();
    list_answer(rendered, &params)
}

async fn current(app: &Application, dir: &Dir, id: &str) -> Result<Value, ScimError> {
    let user = app.steward.provisioned_user(&dir.directory, id).await?;
    Ok(resources::user(&user, &dir.base))
}

pub(super) async fn read(
    State(app): State<Application>,
    dir: Dir,
    Path((_, id)): Ids,
    Query(params): Query<Params>,
) -> Result<Response, ScimError> {
    let user = current(&app, &dir, &id).await?;
    let mut answer = resource_answer(StatusCode::OK, &user);
    let projected = project(user, &params);
    *answer.body_mut() = axum::body::Body::from(projected.to_string());
    Ok(answer)
}

fn read_user(body: &Value) -> Result<crate::application::provisioning::DirectoryUser, ScimError> {
    resources::directory_user(body).map_err(|e| ScimError::invalid("invalidValue", e))
}

pub(super) async fn create(
    State(app): State<Application>,
    dir: Dir,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let user = app
        .steward
        .provision_user(&dir.directory, read_user(&body)?)
        .await?;
    Ok(resource_answer(
        StatusCode::CREATED,
        &resources::user(&user, &dir.base),
    ))
}

pub(super) async fn replace(
    State(app): State<Application>,
    dir: Dir,
    Path((_, id)): Ids,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    check_version(&headers, &current(&app, &dir, &id).await?)?;
    let user = app
        .steward
        .replace_user(&dir.directory, &id, read_user(&body)?)
        .await?;
    Ok(resource_answer(
        StatusCode::OK,
        &resources::user(&user, &dir.base),
    ))
}

/// The `Operations` of a PatchOp message.
pub(super) fn operations(body: Value) -> Result<Vec<patch::PatchOp>, ScimError> {
    let ops = super::filter::field(&body, "Operations")
        .cloned()
        .ok_or_else(|| ScimError::invalid("invalidSyntax", "a PATCH needs Operations"))?;
    serde_json::from_value(ops)
        .map_err(|e| ScimError::invalid("invalidSyntax", format!("Operations: {e}")))
}

pub(super) fn apply(resource: &mut Value, body: Value) -> Result<(), ScimError> {
    patch::apply(resource, operations(body)?).map_err(|e| ScimError::invalid(e.scim_type, e.detail))
}

pub(super) async fn patch(
    State(app): State<Application>,
    dir: Dir,
    Path((_, id)): Ids,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let mut resource = current(&app, &dir, &id).await?;
    check_version(&headers, &resource)?;
    apply(&mut resource, body)?;
    let user = app
        .steward
        .replace_user(&dir.directory, &id, read_user(&resource)?)
        .await?;
    Ok(resource_answer(
        StatusCode::OK,
        &resources::user(&user, &dir.base),
    ))
}

pub(super) async fn remove(
    State(app): State<Application>,
    dir: Dir,
    Path((_, id)): Ids,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    check_version(&headers, &current(&app, &dir, &id).await?)?;
    app.steward.deprovision_user(&dir.directory, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
