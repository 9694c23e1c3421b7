"""The index engine: every item, factor, part and overall index, per group, with intervals.

It reads an *answers relation* in DuckDB: one row per respondent, one column per question
(named by its code, holding the answer code or NULL), grouping columns, and optionally a
weight column and a cluster column (the unit). DuckDB selects the columns as Arrow; one pass
of NumPy kernels (``kernels``), over slices of rows sorted by cell and shared by a few
worker threads, turns them into additive statistics per cell (group × cluster,
``stats.CellStats``):

- per question and answer level, the number (or weight, and squared weight) of answers — an
  answer outside the scale matches no level and so never reaches a figure;
- the second moments ``Σ_i w_i² x_i x_iᵀ`` of ``x_i = (m_ij s_ij, m_ij)``, from which the
  delta-method variance of any composite ``Σ_j a_j I_j`` — items sharing respondents
  included — is the quadratic form ``uᵀ M u`` with ``u = (a_j / W_j, −a_j I_j / W_j)``;
- per composite, the respondents who answered one of its items.

``Engine.table`` makes the index table from those statistics alone (``figures``). When the
grouping leaves out the cluster column (province-wide, per unit kind, per channel), answers
cluster in units: the interval uses the between-cluster variance ``C/(C−1) Σ_c Z_c²`` and
reports its ratio to the simple variance as the design effect. A composite's interval is the
hull of ``I ± z·se`` and a Wilson interval on its effective number of answers
(``figures.composite_interval``), which keeps it from collapsing where every answer is the same. Because the statistics add
up, the analytics store keeps them per unit and updates them as answers change.
"""

from .run import Engine, Spec
from .stats import CellStats

__all__ = ["CellStats", "Engine", "Spec"]
