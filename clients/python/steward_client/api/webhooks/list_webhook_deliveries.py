from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.page_delivery_view import PageDeliveryView
from ...types import Response


def _get_kwargs(
    org: str,
    webhook: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/orgs/{org}/webhooks/{webhook}/deliveries".format(
            org=quote(str(org), safe=""),
            webhook=quote(str(webhook), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PageDeliveryView | None:
    if response.status_code == 200:
        response_200 = PageDeliveryView.from_dict(response.json())

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
) -> Response[ErrorBody | PageDeliveryView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org: str,
    webhook: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorBody | PageDeliveryView]:
    """
    Args:
        org (str):
        webhook (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageDeliveryView]
    """

    kwargs = _get_kwargs(
        org=org,
        webhook=webhook,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org: str,
    webhook: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorBody | PageDeliveryView | None:
    """
    Args:
        org (str):
        webhook (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageDeliveryView
    """

    return sync_detailed(
        org=org,
        webhook=webhook,
        client=client,
    ).parsed


async def asyncio_detailed(
    org: str,
    webhook: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorBody | PageDeliveryView]:
    """
    Args:
        org (str):
        webhook (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PageDeliveryView]
    """

    kwargs = _get_kwargs(
        org=org,
        webhook=webhook,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org: str,
    webhook: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorBody | PageDeliveryView | None:
    """
    Args:
        org (str):
        webhook (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PageDeliveryView
    """

    return (
        await asyncio_detailed(
            org=org,
            webhook=webhook,
            client=client,
        )
    ).parsed
