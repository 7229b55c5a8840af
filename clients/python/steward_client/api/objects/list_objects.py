from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.page_object_view import PageObjectView
from ...types import UNSET, Response, Unset


def _get_kwargs(
    org: str,
    *,
    type_: str | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    allowed_for: str | Unset = UNSET,
    action: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["type"] = type_

    params["parent_id"] = parent_id

    params["allowed_for"] = allowed_for

    params["action"] = action

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/orgs/{org}/objects".format(
            org=quote(str(org), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PageObjectView | None:
    if response.status_code == 200:
        response_200 = PageObjectView.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | PageObjectView]:
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
    parent_id: str | Unset = UNSET,
    allowed_for: str | Unset = UNSET,
    action: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ErrorBody | PageObjectView]:
    """
    Args:
        org (str):
        type_ (str | Unset):
        parent_id (str | Unset):
        allowed_for (str | Unset):
        action (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageObjectView]
    """

    kwargs = _get_kwargs(
        org=org,
        type_=type_,
        parent_id=parent_id,
        allowed_for=allowed_for,
        action=action,
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
    parent_id: str | Unset = UNSET,
    allowed_for: str | Unset = UNSET,
    action: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ErrorBody | PageObjectView | None:
    """
    Args:
        org (str):
        type_ (str | Unset):
        parent_id (str | Unset):
        allowed_for (str | Unset):
        action (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageObjectView
    """

    return sync_detailed(
        org=org,
        client=client,
        type_=type_,
        parent_id=parent_id,
        allowed_for=allowed_for,
        action=action,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    org: str,
    *,
    client: AuthenticatedClient | Client,
    type_: str | Unset = UNSET,
    parent_id: str | Unset = UNSET,
    allowed_for: str | Unset = UNSET,
    action: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ErrorBody | PageObjectView]:
    """
    Args:
        org (str):
        type_ (str | Unset):
        parent_id (str | Unset):
        allowed_for (str | Unset):
        action (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageObjectView]
    """

    kwargs = _get_kwargs(
        org=org,
        type_=type_,
        parent_id=parent_id,
        allowed_for=allowed_for,
        action=action,
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
    parent_id: str | Unset = UNSET,
    allowed_for: str | Unset = UNSET,
    action: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ErrorBody | PageObjectView | None:
    """
    Args:
        org (str):
        type_ (str | Unset):
        parent_id (str | Unset):
        allowed_for (str | Unset):
        action (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageObjectView
    """

    return (
        await asyncio_detailed(
            org=org,
            client=client,
            type_=type_,
            parent_id=parent_id,
            allowed_for=allowed_for,
            action=action,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
