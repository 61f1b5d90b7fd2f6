"""The intake's one settings object, built once in `__main__` and passed down."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.intake.connectors import Connector, registry
from services.intake.open311_catalogue import Open311Service, default_services
from services.intake.security import GateLimits
from shared.config import ConsumerSettings


class Settings(ConsumerSettings):
    """Intake settings; environment variables are prefixed `INTAKE_` (infrastructure excepted).

    It extends the consumers' settings because `python -m services.intake consume` runs the
    shared consume loop over `intake.raw.<channel>`: the HTTP intake, the raw-topic consumer
    and the import command are three commands over the same code and one configuration.
    """

    model_config = SettingsConfigDict(
        env_prefix="INTAKE_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "intake"
    http_port: int = 8001
    group_id: str = "intake"  # the raw-topic consumer's group (`consume`)
    # connector id -> API key, given as a JSON object: {"webform-jatim": "s3cret", ...}; kept
    # working beside `connectors`, which says more per connector.
    api_keys: dict[str, SecretStr] = Field(default_factory=dict)
    # connector id -> {api_key?, hmac_secret?, region?, rate_per_s?, burst?} (connectors.py).
    connectors: dict[str, Connector] = Field(default_factory=dict)
    # HMAC signatures older (or further ahead) than this are refused; replays are remembered
    # for twice as long, in a bounded per-process cache.
    hmac_max_age_s: float = Field(default=300.0, gt=0)
    replay_cache_size: int = Field(default=100_000, ge=100)
    # The token bucket of a connector that sets no rate of its own (per process).
    # A connector relays a whole channel (a social-media crawler, an SMS gateway): the default
    # limit guards against a runaway connector, not against a busy channel.
    rate_per_s: float = Field(default=200.0, gt=0)
    burst: int = Field(default=400, ge=1)
    # Open311 GeoReport v2: the service list (categories) `services.json` answers.
    open311_services: list[Open311Service] = Field(default_factory=default_services)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # Per-channel exceptions to max_body_bytes: an e-mail carries its attachments inline.
    channel_max_body_bytes: dict[str, int] = Field(default_factory=lambda: {"email": 10 << 20})
    collection: str = "intake_complaints"
    sms_parts: str = "intake_sms_parts"  # the collection of long-SMS parts awaiting the rest
    imports_collection: str = "intake_imports"  # the bulk import batches (imports.py)
    # Possible-duplicate links (linker.py): blocking keys and sketches, how many days back a
    # new complaint looks, and at most how many earlier complaints one look-up compares.
    fingerprints: str = "intake_fingerprints"
    duplicate_window_days: int = Field(default=7, ge=1, le=60)
    duplicate_candidates: int = Field(default=200, ge=10, le=5_000)
    # A blocking key filed for more complaints than this within the window is a stop word: its
    # postings are not scored, and look-ups leave it out for an hour (linker.py).
    duplicate_hot_key: int = Field(default=50, ge=2, le=5_000)
    # Off: complaints are sent unmarked, with no look-up or filing. The relay links each batch
    # before sending it (README, "Measured"): the switch for an operator whose store cannot
    # keep up, and for the benchmarks.
    duplicate_linking: bool = True
    # Outbox relay: batch size, idle poll, how long a claimed batch is reserved for this
    # process, and how long one flush may wait for the broker's acknowledgements.
    # Group commit: concurrent submissions share one insert_many of up to this many complaints;
    # a group waits at most this long for company after its first complaint.
    group_commit_max: int = Field(default=200, ge=1, le=5_000)
    group_commit_wait_s: float = Field(default=0.002, ge=0, le=1)
    # `consume`: how many records of a polled batch are accepted side by side (raw.py).
    raw_concurrency: int = Field(default=16, ge=1, le=256)
    relay_batch_size: int = Field(default=200, ge=1, le=5_000)
    # When more complaints this process stored wait for the relay (after a burst), a round
    # takes up to this many of them at once: one look-up, one filing and one mark for all, and
    # a key's postings spread over fewer documents (README, "The relay after a burst").
    relay_backlog_batch_size: int = Field(default=1_000, ge=1, le=10_000)
    # Mark a round's complaints published on a thread of its own while the next round runs
    # (relay.OverlappedMarks); off: each round waits for its own mark, as before.
    relay_overlap_marks: bool = True
    relay_poll_s: float = Field(default=1.0, gt=0)
    # How often the relay scans the store for what its fast path did not send (a crash, an
    # outage, another replica's leftovers): a full scan on FerretDB, so seldom.
    relay_scan_s: float = Field(default=30.0, gt=0)
    relay_lease_s: float = Field(default=60.0, gt=0)
    relay_flush_timeout_s: float = Field(default=30.0, ge=20)  # also the delivery timeout
    relay_connect_timeout_s: float = Field(default=5.0, gt=0)
    # /livez fails when the relay loop (or the consume loop) has not gone round for this long.
    live_max_age_s: float = Field(default=120.0, gt=0)
    # Intake keeps accepting complaints while Kafka is down (the outbox holds them), so an
    # operator may choose to keep it in the load balancer then; the convention is to require it.
    ready_requires_kafka: bool = True

    def all_connectors(self) -> dict[str, Connector]:
        """Return every configured connector, `INTAKE_API_KEYS` folded in."""
        return registry(self.connectors, self.api_keys)

    def gate_limits(self) -> GateLimits:
        """Return the signature age, replay memory and default rate of the gate."""
        return GateLimits(self.hmac_max_age_s, self.replay_cache_size, self.rate_per_s, self.burst)
