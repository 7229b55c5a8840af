from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.mapping_choice import MappingChoice
from ...types import Response


def _get_kwargs(
    org: str,
    group: str,
    *,
    body: MappingChoice,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/orgs/{org}/scim-groups/{group}/mapping".format(
            org=quote(str(org), safe=""),
            group=quote(str(group), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorBody | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

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
) -> Response[Any | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org: str,
    group: str,
    *,
    client: AuthenticatedClient | Client,
    body: MappingChoice,
) -> Response[Any | ErrorBody]:
    """`{"role": "admin", "object_id": ""}`; an empty role removes the mapping.

    Args:
        org (str):
        group (str):
        body (MappingChoice): The console's form for a group's mapping: `role` empty removes it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody]
    """

    kwargs = _get_kwargs(
        org=org,
        group=group,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org: str,
    group: str,
    *,
    client: AuthenticatedClient | Client,
    body: MappingChoice,
) -> Any | ErrorBody | None:
    """`{"role": "admin", "object_id": ""}`; an empty role removes the mapping.

    Args:
        org (str):
        group (str):
        body (MappingChoice): The console's form for a group's mapping: `role` empty removes it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody
    """

    return sync_detailed(
        org=org,
        group=group,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    org: str,
    group: str,
    *,
    client: AuthenticatedClient | Client,
    body: MappingChoice,
) -> Response[Any | ErrorBody]:
    """`{"role": "admin", "object_id": ""}`; an empty role removes the mapping.

    Args:
        org (str):
        group (str):
        body (MappingChoice): The console's form for a group's mapping: `role` empty removes it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody]
    """

    kwargs = _get_kwargs(
        org=org,
        group=group,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org: str,
    group: str,
    *,
    client: AuthenticatedClient | Client,
    body: MappingChoice,
) -> Any | ErrorBody | None:
    """`{"role": "admin", "object_id": ""}`; an empty role removes the mapping.

    Args:
        org (str):
        group (str):
        body (MappingChoice): The console's form for a group's mapping: `role` empty removes it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody
    """

    return (
        await asyncio_detailed(
            org=org,
            group=group,
            client=client,
            body=body,
        )
    ).parsed
