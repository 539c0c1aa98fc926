"""The outside-in scanner (an adapter): what an insurer sees of an organisation from the internet.

Consent first (:mod:`~insurable.scanner.consent`), then DNS and e-mail checks
(:mod:`~insurable.scanner.dnscheck`), a TCP connect sweep (:mod:`~insurable.scanner.sweep`), and
service, TLS and HTTP probes on asyncio (:mod:`~insurable.scanner.probes`), turned into findings of
``exposure.yaml`` (:mod:`~insurable.scanner.findings`). Reconciliation with the answers is pure and
lives in :mod:`insurable.evidence`. Documented in docs/scanner.md.
"""

from insurable.scanner.consent import USER_AGENT, consent_token
from insurable.scanner.engine import ScanOptions, run_scan

__all__ = ["USER_AGENT", "ScanOptions", "consent_token", "run_scan"]
