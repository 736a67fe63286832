"""A reproduction study: a paper's claims as data, each tested over seeds by the shared training
engine, judged with confidence intervals and a verdict rule, and written up as a report."""

__version__ = "0.1.0"
