"""The client's address: REMOTE_ADDR on its own, the trusted proxies' word behind proxies, and
never what the client itself writes into X-Forwarded-For."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from common.client_address import client_ip

PROXY = "127.0.0.1"


def request_from(remote_addr: str | None = PROXY, forwarded_for: str | None = None):
    meta = {}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().get("/", **meta)
    if remote_addr is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote_addr
    return request


@pytest.fixture
def proxies(settings):
    def trust(count: int) -> None:
        settings.TRUSTED_PROXY_COUNT = count

    return trust


def test_the_default_trusts_no_proxy(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0


def test_without_proxies_the_peer_is_the_client(proxies):
    proxies(0)
    assert client_ip(request_from("198.51.100.7")) == "198.51.100.7"


def test_without_proxies_a_client_sent_forwarded_for_is_ignored(proxies):
    proxies(0)
    request = request_from("198.51.100.7", forwarded_for="203.0.113.9")
    assert client_ip(request) == "198.51.100.7"


def test_one_proxy_vouches_for_the_rightmost_entry(proxies):
    proxies(1)
    assert client_ip(request_from(PROXY, "203.0.113.9")) == "203.0.113.9"


def test_one_proxy_ignores_what_the_client_wrote_further_left(proxies):
    # A proxy that appends: the client's forged entries come first, the proxy's last.
    proxies(1)
    request = request_from(PROXY, "10.9.9.9, 192.0.2.1, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_two_proxies_take_the_second_entry_from_the_right(proxies):
    # client → CDN (writes the client) → nginx (writes the CDN) → Django
    proxies(2)
    request = request_from(PROXY, "10.9.9.9, 203.0.113.9, 198.51.100.200")
    assert client_ip(request) == "203.0.113.9"


def test_a_request_that_skipped_a_proxy_falls_back_to_the_peer(proxies):
    # Two proxies trusted, one entry: whoever connected did not come through both, and the
    # lone entry may be their own invention.
    proxies(2)
    assert client_ip(request_from("198.51.100.5", "203.0.113.9")) == "198.51.100.5"


def test_a_missing_header_behind_a_proxy_falls_back_to_the_peer(proxies):
    proxies(1)
    assert client_ip(request_from("198.51.100.5")) == "198.51.100.5"
    assert client_ip(request_from("198.51.100.5", "")) == "198.51.100.5"
    assert client_ip(request_from("198.51.100.5", " , ")) == "198.51.100.5"


def test_garbage_where_the_proxy_writes_falls_back_to_the_peer(proxies):
    proxies(1)
    assert client_ip(request_from("198.51.100.5", "1.2.3.4, not-an-address")) == "198.51.100.5"


def test_no_address_at_all_is_one_shared_unknown(proxies):
    proxies(0)
    assert client_ip(request_from(None)) == "unknown"
    assert client_ip(request_from("")) == "unknown"  # gunicorn on a unix socket


def test_ipv6_addresses_are_normalized(proxies):
    proxies(0)
    assert client_ip(request_from("2001:DB8:0:0::1")) == "2001:db8::1"
    proxies(1)
    assert client_ip(request_from("::1", "203.0.113.9, 2001:db8::0:7")) == "2001:db8::7"
    assert client_ip(request_from("::1", "[2001:db8::7]:51234")) == "2001:db8::7"


def test_a_port_after_an_ipv4_entry_is_dropped(proxies):
    proxies(1)
    assert client_ip(request_from(PROXY, "203.0.113.9:40112")) == "203.0.113.9"
