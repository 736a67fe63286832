"""Which variant of an ablation wins: only a difference its seeds support.

The rule, written under the ablation table: the variant with the best mean test accuracy is
the winner, and bolded, only when it beats the runner-up (the second-best mean) in a two-sided
paired t-test over the seeds at the 5% level (`scipy.stats.ttest_rel`). Pairs are cells of one
seed: every variant's seed k trains on the same data in the same order and is scored on the
same test set, so pairing removes what the seeds share. With 2 seeds the test has one degree
of freedom and only a large, consistent gap passes; with one seed there is no test and nothing
is bolded. When every seed shows exactly the same difference the test sees no spread (p = 0):
the seeds agree, and the winner is bolded.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from scipy import stats

ALPHA = 0.05
RULE = (
    "Bold: the best mean test accuracy, only where it beats the runner-up in a two-sided "
    f"paired t-test over seeds at the {ALPHA:.0%} level (scipy.stats.ttest_rel, cells paired "
    "by seed); otherwise nothing is bolded."
)


@dataclass(frozen=True)
class Verdict:
    """The outcome of the rule: the best variant, its runner-up, the test, the winner."""

    best: str
    runner_up: str | None
    seeds: int  # seeds both ran
    p_value: float | None  # None: no test (one variant, or fewer than 2 shared seeds)
    winner: str | None

    def sentence(self) -> str:
        """One sentence for the README, under the table."""
        if self.runner_up is None:
            return f"`{self.best}` is the only variant: nothing to compare."
        if self.p_value is None:
            return (
                f"No variant is bolded: `{self.best}` has the best mean, but "
                f"{self.seeds} shared seed(s) with `{self.runner_up}` allow no paired test."
            )
        test = f"p = {self.p_value:.3g} over {self.seeds} seeds"
        if self.winner is not None:
            return f"`{self.best}` beats the runner-up `{self.runner_up}` ({test}): bolded."
        return (
            f"No variant is bolded: `{self.best}` has the best mean, but does not beat the "
            f"runner-up `{self.runner_up}` ({test}; the seeds do not separate them)."
        )


def paired_p_value(a: list[float], b: list[float]) -> float:
    """Two-sided p of a paired t-test of a against b (1 when they never differ, 0 when they
    differ by the same amount on every pair)."""
    differences = [round(x - y, 12) for x, y in zip(a, b, strict=True)]  # float noise out
    if len(set(differences)) == 1:
        return 1.0 if differences[0] == 0 else 0.0
    return float(stats.ttest_rel(a, b).pvalue)


def winner(scores: dict[str, dict[int, float]], alpha: float = ALPHA) -> Verdict:
    """Apply the rule to each variant's {seed: test accuracy} (higher is better)."""
    ranked = sorted(scores, key=lambda name: -statistics.fmean(scores[name].values()))
    best = ranked[0]
    if len(ranked) == 1:
        return Verdict(best, None, len(scores[best]), None, None)
    runner_up = ranked[1]
    shared = sorted(set(scores[best]) & set(scores[runner_up]))
    if len(shared) < 2:
        return Verdict(best, runner_up, len(shared), None, None)
    a = [scores[best][seed] for seed in shared]
    b = [scores[runner_up][seed] for seed in shared]
    p = paired_p_value(a, b)
    better = statistics.fmean(a) > statistics.fmean(b)
    chosen = best if better and not math.isnan(p) and p < alpha else None
    return Verdict(best, runner_up, len(shared), p, chosen)
