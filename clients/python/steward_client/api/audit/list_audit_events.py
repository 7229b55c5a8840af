from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.page_audit_event import PageAuditEvent
from ...types import UNSET, Response, Unset


def _get_kwargs(
    org: str,
    *,
    type_: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["type"] = type_

    params["actor"] = actor

    params["target"] = target

    params["since"] = since

    params["until"] = until

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/orgs/{org}/audit".format(
            org=quote(str(org), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PageAuditEvent | None:
    if response.status_code == 200:
        response_200 = PageAuditEvent.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | PageAuditEvent]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org: str,
    *,
    client: AuthenticatedClient | Client,
    type_: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ErrorBody | PageAuditEvent]:
    """
    Args:
        org (str):
        type_ (str | Unset):
        actor (str | Unset):
        target (str | Unset):
        since (int | Unset):
        until (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageAuditEvent]
    """

    kwargs = _get_kwargs(
        org=org,
        type_=type_,
        actor=actor,
        target=target,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org: str,
    *,
    client: AuthenticatedClient | Client,
    type_: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ErrorBody | PageAuditEvent | None:
    """
    Args:
        org (str):
        type_ (str | Unset):
        actor (str | Unset):
        target (str | Unset):
        since (int | Unset):
        until (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageAuditEvent
    """

    return sync_detailed(
        org=org,
        client=client,
        type_=type_,
        actor=actor,
        target=target,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    org: str,
    *,
    client: AuthenticatedClient | Client,
    type_: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ErrorBody | PageAuditEvent]:
    """
    Args:
        org (str):
        type_ (str | Unset):
        actor (str | Unset):
        target (str | Unset):
        since (int | Unset):
        until (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageAuditEvent]
    """

    kwargs = _get_kwargs(
        org=org,
        type_=type_,
        actor=actor,
        target=target,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org: str,
    *,
    client: AuthenticatedClient | Client,
    type_: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ErrorBody | PageAuditEvent | None:
    """
    Args:
        org (str):
        type_ (str | Unset):
        actor (str | Unset):
        target (str | Unset):
        since (int | Unset):
        until (int | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageAuditEvent
    """

    return (
        await asyncio_detailed(
            org=org,
            client=client,
            type_=type_,
            actor=actor,
            target=target,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
