from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.actions_view import ActionsView
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    org: str,
    user: str,
    *,
    object_id: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["object_id"] = object_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/orgs/{org}/members/{user}/permissions".format(
            org=quote(str(org), safe=""),
            user=quote(str(user), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ActionsView | ErrorBody | None:
    if response.status_code == 200:
        response_200 = ActionsView.from_dict(response.json())

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
) -> Response[ActionsView | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org: str,
    user: str,
    *,
    client: AuthenticatedClient | Client,
    object_id: str | Unset = UNSET,
) -> Response[ActionsView | ErrorBody]:
    """
    Args:
        org (str):
        user (str):
        object_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ActionsView | ErrorBody]
    """

    kwargs = _get_kwargs(
        org=org,
        user=user,
        object_id=object_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org: str,
    user: str,
    *,
    client: AuthenticatedClient | Client,
    object_id: str | Unset = UNSET,
) -> ActionsView | ErrorBody | None:
    """
    Args:
        org (str):
        user (str):
        object_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActionsView | ErrorBody
    """

    return sync_detailed(
        org=org,
        user=user,
        client=client,
        object_id=object_id,
    ).parsed


async def asyncio_detailed(
    org: str,
    user: str,
    *,
    client: AuthenticatedClient | Client,
    object_id: str | Unset = UNSET,
) -> Response[ActionsView | ErrorBody]:
    """
    Args:
        org (str):
        user (str):
        object_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ActionsView | ErrorBody]
    """

    kwargs = _get_kwargs(
        org=org,
        user=user,
        object_id=object_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org: str,
    user: str,
    *,
    client: AuthenticatedClient | Client,
    object_id: str | Unset = UNSET,
) -> ActionsView | ErrorBody | None:
    """
    Args:
        org (str):
        user (str):
        object_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActionsView | ErrorBody
    """

    return (
        await asyncio_detailed(
            org=org,
            user=user,
            client=client,
            object_id=object_id,
        )
    ).parsed
