"""How LAPOR!'s answers are classified: retry later, refused for good, or created."""

from __future__ import annotations

import httpx
import pytest
from publisher_cases import case

from services.publisher.lapor import LaporClient, LaporRejected, LaporUnavailable
from services.publisher.mapping import LaporComplaint, LaporMapping, to_lapor_complaint
from shared.retry import dependency_of


def client_answering(handler: httpx.MockTransport) -> LaporClient:
    return LaporClient(httpx.Client(base_url="http://lapor.test", transport=handler))


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


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
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
