"""After a failure the service is left alone for the pause, then tried once; one log line per outage and one when it
answers again, never one per call. Stepped through with a counted clock, not by sleeping."""
from __future__ import annotations

from django.test import TestCase

from publishing.breaker import CircuitBreaker, service_recovered


class Service:
    """A service that counts the calls it receives and fails while ``down``."""

    def __init__(self) -> None:
        self.calls = 0
        self.down = False

    def call(self, breaker: CircuitBreaker) -> str | None:
        if not breaker.allows_call():
            return None
        self.calls += 1
        if self.down:
            breaker.call_failed(ConnectionError("no answer"))
            return None
        breaker.call_succeeded()
        return "answer"


class CircuitBreakerTests(TestCase):  # recovery makes the page cache forget its pages: a write
    def setUp(self):
        self.now = 0.0
        self.breaker = CircuitBreaker("test service", pause=5, clock=lambda: self.now)
        self.service = Service()
        self.recovered: list[str] = []
        service_recovered.connect(self.note_recovery, dispatch_uid="test-breaker")
        self.addCleanup(service_recovered.disconnect, dispatch_uid="test-breaker")

    def note_recovery(self, sender, **kwargs):
        self.recovered.append(sender)

    def test_a_healthy_service_is_called_every_time(self):
        for _ in range(10):
            self.assertEqual(self.service.call(self.breaker), "answer")
        self.assertEqual(self.service.calls, 10)
        self.assertFalse(self.breaker.is_open)

    def test_after_a_failure_the_calls_of_the_pause_are_skipped_then_one_tries_again(self):
        self.service.down = True
        with self.assertLogs("publishing.breaker", "ERROR") as logs:
            for _ in range(100):
                self.assertIsNone(self.service.call(self.breaker))
            self.assertEqual(self.service.calls, 1)
            self.now = 4.9
            self.service.call(self.breaker)
            self.assertEqual(self.service.calls, 1)
            self.now = 5.0
            for _ in range(100):
                self.service.call(self.breaker)
            self.assertEqual(self.service.calls, 2, "one call after the pause, which failed: a new pause")
        self.assertEqual(len(logs.records), 1, "one line per outage")
        self.assertIn("test service is unavailable", logs.output[0])
        self.assertEqual(self.breaker.skipped, 99 + 1 + 99)

    def test_the_first_answer_after_an_outage_closes_it_logs_once_and_says_so(self):
        self.service.down = True
        with self.assertLogs("publishing.breaker", "WARNING") as logs:
            self.service.call(self.breaker)
            self.service.down = False
            self.now = 10
            for _ in range(20):
                self.assertEqual(self.service.call(self.breaker), "answer")
        self.assertEqual(self.service.calls, 21)
        self.assertEqual([record.levelname for record in logs.records], ["ERROR", "WARNING"])
        self.assertIn("answers again", logs.output[1])
        self.assertEqual(self.recovered, ["test service"])
        self.assertFalse(self.breaker.is_open)
