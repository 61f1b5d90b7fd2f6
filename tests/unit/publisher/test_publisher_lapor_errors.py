"""How LAPOR!'s answers are classified: retry later, refused for good, or created."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from publisher_cases import case

from services.publisher.http import Credentials
from services.publisher.lapor import (
    LaporAuthFailed,
    LaporClient,
    LaporRejected,
    LaporUnavailable,
)
from services.publisher.mapping import LaporComplaint, LaporMapping, to_lapor_complaint
from shared.retry import dependency_of


def client_answering(
    handler: httpx.MockTransport, credentials: Credentials | None = None
) -> LaporClient:
    http = httpx.Client(base_url="http://lapor.test", transport=handler)
    return LaporClient(http, credentials or Credentials("t"))


def body() -> LaporComplaint:
    return to_lapor_complaint(case(), "cid", LaporMapping())


def answer(status: int, json: object = None) -> httpx.MockTransport:
    return httpx.MockTransport(lambda _req: httpx.Response(status, json=json))


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_busy_or_broken_target_is_transient_and_certain(status: int) -> None:
    with pytest.raises(LaporUnavailable) as caught:
        client_answering(answer(status, {"detail": "x"})).create_complaint(body())

    assert dependency_of(caught.value) == "lapor"
    assert caught.value.certain


@pytest.mark.parametrize("status", [400, 404, 422])
def test_other_client_errors_are_permanent(status: int) -> None:
    with pytest.raises(LaporRejected) as caught:
        client_answering(answer(status, {"detail": "bad"})).create_complaint(body())

    assert caught.value.status == status
    assert dependency_of(caught.value) is None


def test_created_without_id_is_rejected() -> None:
    with pytest.raises(LaporRejected, match="without an id"):
        client_answering(answer(201, {"ok": True})).create_complaint(body())


def test_lost_answer_is_uncertain_but_refused_connection_is_certain() -> None:
    def read_timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(LaporUnavailable) as lost:
        client_answering(httpx.MockTransport(read_timeout)).create_complaint(body())
    with pytest.raises(LaporUnavailable) as never_sent:
        client_answering(httpx.MockTransport(refused)).create_complaint(body())

    assert not lost.value.certain
    assert never_sent.value.certain


def test_created_answer_gives_id_and_tracking_id() -> None:
    created = client_answering(
        answer(201, {"id": "LAPOR-7", "tracking_id": "ABC"})
    ).create_complaint(body())

    assert (created.remote_id, created.tracking_id) == ("LAPOR-7", "ABC")


def accepting(token: str, seen: list[str]) -> httpx.MockTransport:
    """A LAPOR! that accepts only `token`; notes every token it was shown."""

    def handle(request: httpx.Request) -> httpx.Response:
        given = request.headers["authorization"].removeprefix("Bearer ")
        seen.append(given)
        if given != token:
            return httpx.Response(401, json={"detail": "invalid or expired token"})
        return httpx.Response(201, json={"id": "LAPOR-1"})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_is_a_dependency_away_not_a_refusal(status: int) -> None:
    with pytest.raises(LaporAuthFailed) as caught:
        client_answering(answer(status, {"detail": "no"})).create_complaint(body())

    assert dependency_of(caught.value) == "lapor"
    assert caught.value.certain
    assert "authentication failing" in str(caught.value)


def test_a_configured_token_is_not_sent_twice() -> None:
    seen: list[str] = []

    with pytest.raises(LaporAuthFailed):
        client_answering(accepting("new", seen), Credentials("old")).create_complaint(body())

    assert seen == ["old"]  # nothing to re-read: one call


def test_a_rotated_token_file_is_re_read_once_and_the_call_sent_again(tmp_path: Path) -> None:
    token_file = tmp_path / "lapor.token"
    token_file.write_text("old\n")
    credentials = Credentials(None, token_file)
    seen: list[str] = []
    client = client_answering(accepting("new", seen), credentials)

    with pytest.raises(LaporAuthFailed):
        client.create_complaint(body())  # the file still holds the refused token
    token_file.write_text("new\n")  # the operator rotates it
    created = client.create_complaint(body())

    assert created.remote_id == "LAPOR-1"
    assert seen == ["old", "old", "new"]
    assert credentials.token == "new"
