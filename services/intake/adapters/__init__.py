"""Channel adapters, one module per channel; the registry below is all the app needs."""

from __future__ import annotations

from typing import Any

from services.intake.adapters import callcenter, email, sms, social, walkin, web, whatsapp
from services.intake.adapters.base import Adapter, Receipt

ADAPTERS: dict[str, Adapter[Any]] = {
    a.channel.value: a
    for a in (
        web.ADAPTER,
        callcenter.ADAPTER,
        social.ADAPTER,
        email.ADAPTER,
        whatsapp.ADAPTER,
        sms.ADAPTER,
        walkin.ADAPTER,
    )
}

__all__ = ["ADAPTERS", "Adapter", "Receipt"]
