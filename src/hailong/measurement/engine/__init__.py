"""The index engine: every item, factor, part and overall index, per group, with intervals.

It runs on DuckDB over an *answers relation*: one row per respondent, one column per
question (named by its code, holding the answer code or NULL), grouping columns, and
optionally a weight column and a cluster column (the unit). Two scans:

1. per cell (group × cluster), per question and answer level: the number (or weight, and
   squared weight) of answers — everything an item figure needs; answers outside the
   scale match no level and so never reach a figure (``sql.cells``);
2. per group, per composite: the sum of squared linearized contributions
   ``z_i = w_i Σ_j (a_j / W_j) m_ij (s_ij − I_j)``, the delta-method variance of
   ``Σ_j a_j I_j`` that respects that items share respondents (``sql.linearized``).

When the grouping leaves out the cluster column (province-wide, per unit kind, per
channel), answers cluster in units: the interval uses the between-cluster variance
``C/(C−1) Σ_c Z_c²`` computed from the cell sums, and reports its ratio to the simple
variance as the design effect (``figures``).
"""

from .run import Engine, Spec

__all__ = ["Engine", "Spec"]
