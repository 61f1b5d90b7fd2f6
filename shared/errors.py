"""Describing an error without the input that caused it.

A validation error's own text echoes the offending value (`input_value='3578014501900001'`), and
that value may be a NIK, a phone number or a name. Logs, metrics and dead-letter headers are read
by operators, not only by the data's owner, so every error that leaves a service goes through
`describe`: field locations and messages, never values.
"""

from __future__ import annotations

from pydantic import ValidationError

_MAX_LEN = 2000


def describe(exc: BaseException, max_len: int = _MAX_LEN) -> str:
    """Return `exc`'s class and message, with any validated input left out."""
    if isinstance(exc, ValidationError):
        return _validation(exc)[:max_len]
    return f"{type(exc).__name__}: {exc}"[:max_len]


def _validation(exc: ValidationError) -> str:
    parts = [
        f"{'.'.join(str(p) for p in err['loc']) or 'value'}: {err['msg']}"
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]
    return f"ValidationError ({exc.error_count()}): " + "; ".join(parts)
