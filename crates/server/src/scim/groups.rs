//! `/scim/v2/{org}/Groups`: list, read, create, replace, PATCH (members added
//! and removed, `members[value eq "..."]`) and delete, over
//! application/provisioning/groups.rs. What a group gives is mapped on the
//! console's Provisioning page.

use super::users::apply;
use super::{
    check_version, list_answer, project, resource_answer, resources, Dir, Params, ScimBody,
    ScimError,
};
use crate::application::provisioning::DirectoryGroup;
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
    let groups = app.steward.provisioned_groups(&dir.directory).await?;
    let rendered = groups
        .iter()
        .map(|g| resources::group(g, &dir.base))
        .collect();
    list_answer(rendered, &params)
}

async fn current(app: &Application, dir: &Dir, id: &str) -> Result<Value, ScimError> {
    let group = app.steward.provisioned_group(&dir.directory, id).await?;
    Ok(resources::group(&group, &dir.base))
}

pub(super) async fn read(
    State(app): State<Application>,
    dir: Dir,
    Path((_, id)): Ids,
    Query(params): Query<Params>,
) -> Result<Response, ScimError> {
    let group = current(&app, &dir, &id).await?;
    let mut answer = resource_answer(StatusCode::OK, &group);
    *answer.body_mut() = axum::body::Body::from(project(group, &params).to_string());
    Ok(answer)
}

fn read_group(body: &Value) -> Result<DirectoryGroup, ScimError> {
    resources::directory_group(body).map_err(|e| ScimError::invalid("invalidValue", e))
}

pub(super) async fn create(
    State(app): State<Application>,
    dir: Dir,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let group = app
        .steward
        .provision_group(&dir.directory, read_group(&body)?)
        .await?;
    Ok(resource_answer(
        StatusCode::CREATED,
        &resources::group(&group, &dir.base),
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
    let group = app
        .steward
        .replace_group(&dir.directory, &id, read_group(&body)?)
        .await?;
    Ok(resource_answer(
        StatusCode::OK,
        &resources::group(&group, &dir.base),
    ))
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
    let group = app
        .steward
        .replace_group(&dir.directory, &id, read_group(&resource)?)
        .await?;
    Ok(resource_answer(
        StatusCode::OK,
        &resources::group(&group, &dir.base),
    ))
}

pub(super) async fn remove(
    State(app): State<Application>,
    dir: Dir,
    Path((_, id)): Ids,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    check_version(&headers, &current(&app, &dir, &id).await?)?;
    app.steward.delete_group(&dir.directory, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
