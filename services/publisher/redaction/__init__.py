"""Redaction before anything public: personal data out, typed placeholders in.

`redact(text, reporter)` is pure: no I/O, no model, nothing downloaded. See the publisher
README, section "Redaction", for what is removed and what deliberately stays.
"""

from services.publisher.redaction.engine import redact, spans
from services.publisher.redaction.model import Kind, Redaction, Removed, Reporter, Span

__all__ = ["Kind", "Redaction", "Removed", "Reporter", "Span", "redact", "spans"]
