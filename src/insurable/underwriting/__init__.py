"""Underwriting: verdict, premium, deductible, limit, exclusions, conditions, reasons and plan."""

from insurable.underwriting.engine import assess
from insurable.underwriting.model import VERDICT_ORDER, Assessment, PlanItem, Verdict

__all__ = ["VERDICT_ORDER", "Assessment", "PlanItem", "Verdict", "assess"]
