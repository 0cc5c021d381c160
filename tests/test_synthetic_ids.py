"""Scrambled ids (synthetic/randomness.py) at every state size: distinct, in their space, and
the same as before wherever the count fitted the old fixed space."""

from __future__ import annotations

import numpy as np

from synthetic.randomness import id_space, rng_for, scrambled_ids


def test_the_space_grows_only_when_the_ids_do_not_fit():
    assert id_space(999_999, 10**6) == 10**6
    assert id_space(10**6, 10**6) == 10**6
    assert id_space(1_222_395, 10**6) == 10**7     # the refunds of a ten-million-voter state
    assert id_space(0, 10**8) == 10**8


def test_more_ids_than_the_smallest_space_are_distinct():
    count = 1_222_395
    ids = scrambled_ids(count, id_space(count, 10**6), rng_for(11, "refunds"))
    assert len(np.unique(ids)) == count and ids.min() >= 0 and ids.max() < 10**7


def test_sizes_that_fitted_draw_what_they_drew_before():
    before = scrambled_ids(50_000, 10**6, rng_for(11, "refunds"))
    assert (scrambled_ids(50_000, id_space(50_000, 10**6), rng_for(11, "refunds")) == before).all()
