"""Supplier chain (pure): a client's requirements per tier versus the evidence its suppliers give.

The register (:mod:`.model`), the requirements that apply (:mod:`.requirements`, catalogue defaults
under the client's edits), each supplier's status on a date with its reasons (:mod:`.status`),
alerts since the last check (:mod:`.alerts`), concentration on one cloud/MSP/VPN vendor
(:mod:`.concentration`) and the register as CSV/XLSX (:mod:`.register_io`). NIS2 Art. 21(2)(d).
"""

from __future__ import annotations

from insurable.suppliers.alerts import Alert, alerts, message, state_of
from insurable.suppliers.concentration import Concentration, concentrations
from insurable.suppliers.model import Register, Supplier
from insurable.suppliers.requirements import effective, insurance_clauses
from insurable.suppliers.status import STATUS_ORDER, Finding, SupplierStatus, evaluate, evaluate_register

__all__ = [
    "STATUS_ORDER",
    "Alert",
    "Concentration",
    "Finding",
    "Register",
    "Supplier",
    "SupplierStatus",
    "alerts",
    "concentrations",
    "effective",
    "evaluate",
    "evaluate_register",
    "insurance_clauses",
    "message",
    "state_of",
]
