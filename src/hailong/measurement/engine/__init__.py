"""The index engine: every item, factor, part and overall index, per group, with intervals.

It reads an *answers relation* in DuckDB: one row per respondent, one column per question
(named by its code, holding the answer code or NULL), grouping columns, and optionally a
weight column and a cluster column (the unit). DuckDB selects and streams the columns as
Arrow; NumPy kernels (``kernels``) then make two passes:

1. per cell (group × cluster), per question and answer level: the number (or weight, and
   squared weight) of answers — everything an item figure needs; an answer outside the
   scale matches no level and so never reaches a figure;
2. per group, per block of items (a factor): the cross-products of the linearized
   contributions ``z_i = w_i Σ_j (a_j / W_j) m_ij (s_ij − I_j)``, giving the delta-method
   variance of every composite ``Σ_j a_j I_j`` with the covariance of items that share
   respondents.

When the grouping leaves out the cluster column (province-wide, per unit kind, per
channel), answers cluster in units: the interval uses the between-cluster variance
``C/(C−1) Σ_c Z_c²`` computed from the cell sums, and reports its ratio to the simple
variance as the design effect (``figures``).
"""

from .run import Engine, Spec

__all__ = ["Engine", "Spec"]
