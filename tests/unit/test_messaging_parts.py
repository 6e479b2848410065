"""The pieces of the messaging code that need no broker: the backoff's bounds, the consumer's
queue names and delays, the broker settings (and that the password never shows)."""

from __future__ import annotations

import random

import pytest

from paymentprocess.config import Settings, load_settings
from paymentprocess.errors import SettingsError
from paymentprocess.service.messaging.backoff import Backoff
from paymentprocess.service.messaging.broker import BrokerConfig
from paymentprocess.service.messaging.queues import ConsumerQueues


def test_backoff_doubles_up_to_its_cap_never_below_half_and_resets() -> None:
    backoff = Backoff(first=0.2, cap=3.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(8)]
    nominal = [0.2, 0.4, 0.8, 1.6, 3.0, 3.0, 3.0, 3.0]
    assert all(n / 2 <= d <= n for d, n in zip(delays, nominal, strict=True))
    assert len(set(delays)) == len(delays)  # jittered: no two relays wait in step
    backoff.reset()
    assert 0.1 <= backoff.next_delay() <= 0.2


def test_retry_queues_grow_and_name_their_delay() -> None:
    queues = ConsumerQueues("payments", first_delay=1.0, max_attempts=5)
    assert [queues.delay_ms(n) for n in range(1, 5)] == [1000, 2000, 4000, 8000]
    assert queues.all_names() == [
        "payments",
        "payments.retry.1000ms",
        "payments.retry.2000ms",
        "payments.retry.4000ms",
        "payments.retry.8000ms",
        "payments.dlq",
    ]
    assert ConsumerQueues("q", max_attempts=1).all_names() == ["q", "q.dlq"]


def test_broker_settings_default_and_never_show_the_password() -> None:
    settings = Settings(broker_url="amqp://app:s3cret@rabbit:5672/vh")
    assert Settings().broker_url == "amqp://guest:guest@127.0.0.1:5672/"
    assert Settings().broker_exchange == "paymentprocess.events"
    where = BrokerConfig.from_settings(settings).where
    assert where == "amqp://app:***@rabbit:5672/vh"


def test_a_broker_url_that_is_not_amqp_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="PAYMENT_BROKER_URL") as caught:
        load_settings(broker_url="http://user:pw@rabbit/")
    assert "pw" not in str(caught.value)
